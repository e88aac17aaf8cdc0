"""The notebooks run from top to bottom (fast settings), and each .ipynb matches its .py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EFFECTS, MALI, ROOT

NOTEBOOKS = ROOT / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.py"))


def test_there_are_the_three_notebooks():
    assert [p.stem for p in SOURCES] == [
        "01-update-priors",
        "02-fit-and-review",
        "03-mali-scenarios",
    ]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_ipynb_is_in_sync_with_its_py(source: Path):
    import jupytext

    paired = source.with_suffix(".ipynb")
    assert paired.exists(), f"run: jupytext --to ipynb {source}"
    py, ipynb = jupytext.read(source), jupytext.read(paired)
    assert [(c.cell_type, c.source) for c in py.cells] == [
        (c.cell_type, c.source) for c in ipynb.cells
    ], f"out of sync: run jupytext --sync {source}"
    assert all(not c.get("outputs") for c in ipynb.cells if c.cell_type == "code"), (
        f"{paired.name} is stored with outputs"
    )


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_runs(source: Path, tmp_path, monkeypatch):
    import jupytext
    from nbclient import NotebookClient

    shipped = {p: p.read_bytes() for p in (EFFECTS, MALI)}
    # the kernel inherits this environment (and the session's cache and log folders)
    monkeypatch.setenv("FORECAST_FAST", "1")
    monkeypatch.setenv("FORECAST_NOTEBOOK_OUT", str(tmp_path))
    notebook = jupytext.read(source)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": NOTEBOOKS}}
    ).execute()  # raises CellExecutionError naming the failing cell
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert {p: p.read_bytes() for p in shipped} == shipped  # nothing shipped was overwritten
    if source.stem == "01-update-priors":
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "effects-revised.toml",
            "mali-2013-revised.toml",
        ]
