"""Hostile inputs and faults (issue 15): one group of tests per numbered cause.

None of these samples with NUTS: inputs that must be refused are refused before any
fit (the CLI's `run_forecast` is replaced by a tripwire to prove it), and what is only
reachable after a fit is tested on the lower-level function with a hand-made posterior.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import sqlite3
import sys
import time
import types
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from forecasting import files, pipeline
from forecasting.cli import main as cli
from forecasting.cli.common import exit_if_unreliable
from forecasting.errors import InputError, OutputError
from forecasting.factors import FACTOR_IDS
from forecasting.files import atomic_write_bytes, check_writable, read_toml
from forecasting.inputs.cases import load_case
from forecasting.inputs.reference import load_reference
from forecasting.log import store
from forecasting.model import budget, fitting
from forecasting.model.logit import model_inputs
from forecasting.priors.effects import load_effect_priors
from forecasting.settings import LOG_ENV, SamplerSettings
from tests.conftest import EFFECTS, MALI, REFERENCE

MALI_TEXT = MALI.read_text(encoding="utf-8")
EFFECTS_TEXT = EFFECTS.read_text(encoding="utf-8")
REFERENCE_TEXT = REFERENCE.read_text(encoding="utf-8")


# -- helpers ------------------------------------------------------------------------------


@pytest.fixture
def no_fit(monkeypatch):
    """A tripwire: the test fails if anything gets as far as fitting."""

    def refuse(*args, **kwargs):
        raise AssertionError("fitting started: the input should have been refused before")

    monkeypatch.setattr(pipeline, "run_forecast", refuse)


@pytest.fixture
def log_file(tmp_path, monkeypatch):
    path = tmp_path / "log" / "forecast-log.sqlite"
    monkeypatch.setenv(LOG_ENV, str(path))
    return path


def run(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["forecast", *args])
    with pytest.raises(SystemExit) as done:
        cli.main()
    out, err = capsys.readouterr()
    return done.value.code, out, err


def assert_one_line_exit_2(code, out, err, *fragments):
    assert code == 2, err
    assert err.startswith("error: "), err
    assert err.strip().count("\n") == 0, err
    assert "Traceback" not in err and out == ""
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def case_with(tmp_path, old: str, new: str, name: str = "case.toml") -> Path:
    """The Mali case file with the first `old` (a regular expression) replaced by `new`."""
    text, n = re.subn(old, lambda _: new, MALI_TEXT, count=1, flags=re.M)
    assert n == 1, old
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def priors_with(tmp_path, old: str, new: str) -> Path:
    """The shipped effect priors with the intercept's elicitation block removed (so mu and
    sigma are checked on their own) and the first `old` replaced by `new`."""
    text = re.sub(r"\[intercept\.elicitation\][^\[]*", "", EFFECTS_TEXT, count=1)
    text, n = re.subn(old, lambda _: new, text, count=1, flags=re.M)
    assert n == 1, old
    path = tmp_path / "effects.toml"
    path.write_text(text, encoding="utf-8")
    return path


def reference_subset(tmp_path, keep) -> Path:
    """The reference cases resolved before Mali's as_of (2013-01), cut down by `keep`."""
    frame = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False)
    path = tmp_path / "subset.csv"
    keep(frame[frame["resolved"] < "2013-01"]).to_csv(path, index=False)
    return path


def fake_posterior(chains: int = 2, draws: int = 5) -> xr.DataTree:
    rng = np.random.default_rng(0)
    posterior = xr.Dataset(
        {
            "alpha": (("chain", "draw"), rng.normal(size=(chains, draws))),
            "beta": (("chain", "draw", "factor"), rng.normal(size=(chains, draws, 4))),
        },
        coords={"factor": list(FACTOR_IDS)},
    )
    stats = xr.Dataset({"diverging": (("chain", "draw"), np.zeros((chains, draws), bool))})
    return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": stats})


# -- 1. the case id is a slug, never a path -----------------------------------------------

HOSTILE_IDS = [
    "/tmp/some/dir/victim",
    "../../escaped",
    "mali\n2013",
    "mali-2013\n",
    "a" * 300,
    "a" * 65,
    "Mali-2013",
    "-leading-hyphen",
    "",
    "with space",
    "a/b",
    "mali.2013",
    "mali_2013",
    "C:\\\\reports\\\\x",
]


@pytest.mark.parametrize("case_id", HOSTILE_IDS)
def test_1_case_id_must_be_a_slug(tmp_path, case_id):
    toml_id = case_id.replace("\n", "\\n")
    path = case_with(tmp_path, r'^id = ".*"$', f'id = "{toml_id}"')
    with pytest.raises(InputError) as info:
        load_case(path)
    assert info.value.key == "case.id"
    assert "is not a case id: 1-64 lowercase letters, digits and hyphens" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("case_id", ["mali-2013", "a", "0", "x" * 64, "2013-mali-b"])
def test_1_plain_slugs_are_accepted(tmp_path, case_id):
    assert load_case(case_with(tmp_path, r'^id = ".*"$', f'id = "{case_id}"')).id == case_id


def test_1_report_with_a_path_as_id_overwrites_nothing(tmp_path, monkeypatch, capsys, no_fit):
    victim = tmp_path / "victim.pdf"
    victim.write_bytes(b"an unrelated file")
    case = case_with(tmp_path, r'^id = ".*"$', f'id = "{tmp_path / "victim"}"')
    code, out, err = run(monkeypatch, capsys, "report", str(case))
    assert_one_line_exit_2(code, out, err, f"{case}: case.id:")
    assert victim.read_bytes() == b"an unrelated file"


# -- 2. a write-protected target is refused (mode bits: root passes access checks) --------


def test_2_report_refuses_a_write_protected_pdf_before_fitting(
    tmp_path, monkeypatch, capsys, no_fit, log_file
):
    target = tmp_path / "locked.pdf"
    target.write_bytes(b"old report")
    target.chmod(0o444)
    code, out, err = run(monkeypatch, capsys, "report", "mali-2013", "-o", str(target))
    assert_one_line_exit_2(code, out, err, f"{target}:", "write-protected")
    assert target.read_bytes() == b"old report"


def test_2_atomic_write_refuses_a_write_protected_file(tmp_path):
    target = tmp_path / "locked.png"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(OutputError, match="write-protected"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


# -- 3. output problems are found before the work; writes are atomic ----------------------


def test_3_output_onto_a_folder_is_refused_before_fitting(
    tmp_path, monkeypatch, capsys, no_fit, log_file
):
    folder = tmp_path / "looks-like.pdf"
    folder.mkdir()
    code, out, err = run(monkeypatch, capsys, "report", "mali-2013", "-o", str(folder))
    assert_one_line_exit_2(code, out, err, f"{folder}: is a folder, not a file")


def test_3_output_into_a_read_only_folder_is_refused(tmp_path, monkeypatch, capsys, no_fit):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, out, err = run(
            monkeypatch, capsys, "report", "mali-2013", "-o", str(folder / "x.pdf")
        )
        assert_one_line_exit_2(code, out, err, f"{folder}:", "write-protected")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_3_output_under_a_file_is_refused(tmp_path, monkeypatch, capsys, no_fit):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    code, out, err = run(
        monkeypatch, capsys, "report", "mali-2013", "-o", str(blocker / "sub" / "x.pdf")
    )
    assert_one_line_exit_2(code, out, err, f"{blocker}: is a file, not a folder")


def test_3_review_folder_that_is_a_file_is_refused(tmp_path, monkeypatch, capsys, no_fit):
    blocker = tmp_path / "figures"
    blocker.write_text("not a folder")
    code, out, err = run(monkeypatch, capsys, "review", "mali-2013", "-o", str(blocker))
    assert_one_line_exit_2(code, out, err, f"{blocker}: is a file, not a folder")


def test_3_validate_and_sbc_and_import_check_their_outputs_first(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "taken.png"
    folder.mkdir()
    code, out, err = run(monkeypatch, capsys, "validate", "--plot", str(folder))
    assert_one_line_exit_2(code, out, err, "is a folder, not a file")
    blocker = tmp_path / "sbc-out"
    blocker.write_text("x")
    code, out, err = run(monkeypatch, capsys, "sbc", "-o", str(blocker))
    assert_one_line_exit_2(code, out, err, "is a file, not a folder")
    code, out, err = run(
        monkeypatch, capsys, "import", "doyle-sambanis", str(REFERENCE), "-o", str(folder)
    )
    assert_one_line_exit_2(code, out, err, "is a folder, not a file")


def test_3_a_full_disk_is_refused_up_front(tmp_path, monkeypatch):
    full = types.SimpleNamespace(f_bavail=0, f_frsize=4096, f_flag=0)
    monkeypatch.setattr(files.os, "statvfs", lambda path: full)
    with pytest.raises(OutputError, match="no space left"):
        check_writable(tmp_path / "x.pdf")


def test_3_a_read_only_mount_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(files.os, "access", lambda path, mode: False)
    read_only = types.SimpleNamespace(f_bavail=1 << 30, f_frsize=4096, f_flag=os.ST_RDONLY)
    monkeypatch.setattr(files.os, "statvfs", lambda path: read_only)
    with pytest.raises(OutputError, match="read-only file system"):
        check_writable(tmp_path / "x.pdf")


def test_3_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"previous report")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OutputError) as info:
        atomic_write_bytes(target, b"new report")
    assert str(info.value).count("\n") == 0 and "no space left on the disk" in str(info.value)
    assert target.read_bytes() == b"previous report"
    assert list(tmp_path.iterdir()) == [target]


def test_3_temp_files_left_by_a_killed_writer_are_cleaned_up(tmp_path):
    target = tmp_path / "mali-2013.pdf"
    stale = tmp_path / ".mali-2013.pdf.abc123.tmp"
    fresh = tmp_path / ".mali-2013.pdf.def456.tmp"  # another writer, still at work
    stale.write_bytes(b"partial")
    fresh.write_bytes(b"partial")
    old = time.time() - 2 * files.STALE_TEMP_S
    os.utime(stale, (old, old))
    atomic_write_bytes(target, b"%PDF")
    assert not stale.exists() and fresh.exists() and target.read_bytes() == b"%PDF"


def test_3_review_figures_are_published_atomically(tmp_path, monkeypatch):
    from forecasting.report.review_figures import publish_figures

    drafts, folder = tmp_path / "drafts", tmp_path / "review"
    drafts.mkdir()
    folder.mkdir()
    (drafts / "trace.png").write_bytes(b"\x89PNG new")
    (folder / "trace.png").write_bytes(b"\x89PNG old")

    def killed(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(files.os, "replace", killed)
    with pytest.raises(OutputError):
        publish_figures({"trace": drafts / "trace.png"}, folder)
    assert (folder / "trace.png").read_bytes() == b"\x89PNG old"
    assert [p.name for p in folder.iterdir()] == ["trace.png"]
    monkeypatch.undo()
    paths = publish_figures({"trace": drafts / "trace.png"}, folder)
    assert paths["trace"].read_bytes() == b"\x89PNG new"


# -- 4. a full cache disk does not stop a forecast; a full log disk is one line ------------


@pytest.fixture
def mali_fit_inputs():
    return model_inputs(load_reference(REFERENCE)), load_effect_priors(EFFECTS)


def test_4_a_fit_that_cannot_be_cached_is_returned_with_a_warning(
    tmp_path, monkeypatch, mali_fit_inputs
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("FORECAST_CACHE_DIR", str(blocker / "fits"))
    monkeypatch.setattr(fitting, "sample", lambda *a, **k: fake_posterior())
    fitted = fitting.fit(*mali_fit_inputs, SamplerSettings(), progressbar=False)
    assert not fitted.from_cache
    assert fitted.posterior["posterior"]["alpha"].shape == (2, 5)
    assert len(fitted.warnings) == 1 and "could not be cached" in fitted.warnings[0]


def test_4_a_full_log_disk_is_one_input_error(tmp_path, monkeypatch):
    path = tmp_path / "log.sqlite"
    entry = store.Entry(
        case_id="mali-2013",
        as_of=dt.date(2013, 1, 14),
        scenarios={"current": {"p_median": 0.4}},
        data_sha256="d",
        priors_sha256="p",
        case_sha256="c",
        package_version="0",
        fit_key="k",
        reliable=True,
    )
    store.record(entry, path)
    real_connect = sqlite3.connect

    def full_disk(*args, **kwargs):  # the database may not grow by a single page
        conn = real_connect(*args, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(store.sqlite3, "connect", full_disk)
    big = store.Entry(**{**entry.__dict__, "note": "x" * 200_000})
    with pytest.raises(InputError) as info:
        store.record(big, path)
    assert str(info.value).startswith(f"{path}: ") and "full" in str(info.value)
    monkeypatch.undo()
    assert len(store.history("mali-2013", path)) == 1


# -- 5. non-finite or huge priors are refused with the key --------------------------------

BAD_PRIORS = [
    ("mu = nan", "intercept.mu", "finite"),
    ("mu = inf", "intercept.mu", "finite"),
    ("mu = -inf", "intercept.mu", "finite"),
    ("mu = 1e300", "intercept.mu", "too extreme"),
    ("mu = -10.5", "intercept.mu", "too extreme"),
    ("mu = true", "intercept.mu", "must be a number"),
    ('mu = "0.5"', "intercept.mu", "must be a number"),
    ("sigma = inf", "intercept.sigma", "finite"),
    ("sigma = nan", "intercept.sigma", "finite"),
    ("sigma = 1e6", "intercept.sigma", "too wide"),
    ("sigma = 10.01", "intercept.sigma", "too wide"),
    ("sigma = 0", "intercept.sigma", "greater than 0"),
    ("sigma = -1", "intercept.sigma", "greater than 0"),
    ("sigma = false", "intercept.sigma", "must be a number"),
]


@pytest.mark.parametrize(("line", "key", "message"), BAD_PRIORS)
def test_5_non_finite_or_huge_priors_are_refused(tmp_path, line, key, message):
    name = line.split(" = ")[0]
    path = priors_with(tmp_path, rf"^{name} = .*$", line)
    with pytest.raises(InputError) as info:
        load_effect_priors(path)
    assert info.value.key == key and message in info.value.message, str(info.value)


def test_5_the_bounds_themselves_are_accepted(tmp_path):
    path = priors_with(tmp_path, r"^mu = .*$", "mu = -10")
    path.write_text(re.sub(r"^sigma = .*$", "sigma = 10", path.read_text(), count=1, flags=re.M))
    assert load_effect_priors(path).intercept.sigma == 10


def test_5_cli_refuses_nan_prior_before_fitting(tmp_path, monkeypatch, capsys, no_fit):
    path = priors_with(tmp_path, r"^mu = .*$", "mu = nan")
    code, out, err = run(monkeypatch, capsys, "predict", "mali-2013", "--priors", str(path))
    assert_one_line_exit_2(code, out, err, f"{path}: intercept.mu: must be a finite number")


# -- 6. factor states: sd bounded, no booleans ---------------------------------------------

BAD_STATES = [
    ("sd", "sd = 1e9", "more than 2 rating steps"),
    ("sd", "sd = 2.01", "more than 2 rating steps"),
    ("sd", "sd = inf", "finite"),
    ("sd", "sd = nan", "finite"),
    ("sd", "sd = -0.1", "greater than or equal to 0"),
    ("sd", "sd = true", "must be a number, not true"),
    ("sd", 'sd = "0.5"', "must be a number"),
    ("rating", "rating = true", "must be a number, not true"),
    ("rating", "rating = false", "must be a number, not false"),
    ("rating", 'rating = "3"', "must be a number"),
    ("rating", "rating = nan", "finite"),
    ("rating", "rating = inf", "finite"),
]


@pytest.mark.parametrize(("name", "line", "message"), BAD_STATES)
def test_6_nonsense_factor_states_are_refused(tmp_path, name, line, message):
    path = case_with(tmp_path, rf"^{name} = .*$", line)
    with pytest.raises(InputError) as info:
        load_case(path)
    assert info.value.key == f"factors.political_cohesion.{name}"
    assert message in info.value.message, str(info.value)


def test_6_sd_of_two_and_integer_ratings_are_accepted(tmp_path):
    path = case_with(tmp_path, r"^sd = .*$", "sd = 2")
    path.write_text(re.sub(r"^rating = .*$", "rating = 2", path.read_text(), count=1, flags=re.M))
    state = load_case(path).scenarios["current"].factors["political_cohesion"]
    assert (state.rating, state.sd) == (2.0, 2.0)


def test_6_horizon_months_is_not_a_boolean(tmp_path):
    path = case_with(tmp_path, r"^horizon_months = .*$", "horizon_months = true")
    with pytest.raises(InputError, match=r"case\.horizon_months"):
        load_case(path)


# -- 7. malformed input: exit 2 and one line, never a traceback ---------------------------

DUPLICATES = [
    ("[case]\n", '[case]\nid = "x"\n'),  # a key twice in a table
    ("[factors.timing]\n", "[factors.timing]\nrating = 3\n[factors.timing.x]\n[factors.timing]\n"),
    ("[[contrasts]]\n", "[[contrasts]]\nscenario = 'a'\nscenario = 'b'\n"),
    ("[case]\n", "[case]\nid = 1\n[case]\n"),
]


@pytest.mark.parametrize(("old", "new"), DUPLICATES)
def test_7_duplicate_keys_are_malformed_toml(tmp_path, old, new):
    path = tmp_path / "dup.toml"
    path.write_text(MALI_TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_toml(path)
    assert "malformed TOML" in str(info.value) and info.value.key.startswith("line ")


def test_7_duplicate_key_in_the_priors_via_the_cli(tmp_path, monkeypatch, capsys, no_fit):
    path = tmp_path / "effects.toml"
    path.write_text(EFFECTS_TEXT.replace("[intercept]\n", "[intercept]\nmu = 0\n", 1))
    code, out, err = run(monkeypatch, capsys, "predict", "mali-2013", "--priors", str(path))
    assert_one_line_exit_2(code, out, err, f"{path}: line ", "malformed TOML")


@pytest.mark.parametrize("option", ["case", "--priors", "--data", "--forecasters"])
def test_7_a_folder_given_as_a_file(tmp_path, monkeypatch, capsys, no_fit, option):
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    if option == "--forecasters":
        (folder / "one.toml").mkdir()  # a folder where a forecaster's file should be
    args = [str(folder)] if option == "case" else ["mali-2013", option, str(folder)]
    code, out, err = run(monkeypatch, capsys, "predict", *args)
    assert_one_line_exit_2(code, out, err, "is a folder, not a file")


def test_7_a_folder_as_the_forecast_log(tmp_path, monkeypatch, capsys, no_fit):
    monkeypatch.setenv(LOG_ENV, str(tmp_path))
    for args in (["log", "score"], ["log", "record", "mali-2013"], ["report", "mali-2013"]):
        code, out, err = run(monkeypatch, capsys, *args)
        assert_one_line_exit_2(code, out, err, f"{tmp_path}: is a folder")


def _reference_lines():
    return REFERENCE_TEXT.splitlines(keepends=True)


def test_7_csv_rows_with_more_or_fewer_fields_than_the_header(tmp_path, monkeypatch, capsys):
    lines = _reference_lines()
    longer = tmp_path / "longer.csv"
    longer.write_text(lines[0] + lines[1].rstrip("\n") + ",extra\n" + "".join(lines[2:]))
    every = tmp_path / "every.csv"
    every.write_text(lines[0] + "".join(line.rstrip("\n") + ",x\n" for line in lines[1:]))
    shorter = tmp_path / "shorter.csv"
    shorter.write_text(lines[0] + "a,b,c\n" + "".join(lines[1:]))
    width = len(lines[0].split(","))
    for path, fields in (
        (longer, f"{width + 1} fields"),
        (every, f"{width + 1} fields"),
        (shorter, "3 fields"),
    ):
        with pytest.raises(InputError) as info:
            load_reference(path)
        assert info.value.key == "line 2" and fields in info.value.message
        assert f"where the header has {width}" in info.value.message
    code, out, err = run(monkeypatch, capsys, "predict", "mali-2013", "--data", str(longer))
    assert_one_line_exit_2(code, out, err, f"{longer}: line 2: {width + 1} fields")


@pytest.mark.parametrize(
    "seed", ["-1", str(2**32), str(2**64), str(2**64 - 1), "-99999999999999999999"]
)
def test_7_seed_outside_32_bits_is_refused_at_once(monkeypatch, capsys, no_fit, seed):
    for command in (["predict", "mali-2013"], ["report", "mali-2013"], ["validate"]):
        code, out, err = run(monkeypatch, capsys, *command, "--seed", seed)
        assert_one_line_exit_2(code, out, err, f"error: --seed: {seed} is outside 0..4294967295")


def test_7_seed_bounds_in_the_settings():
    SamplerSettings(seed=0)
    SamplerSettings(seed=2**32 - 1)
    for bad in (-1, 2**32, True):
        with pytest.raises(ValueError, match="seed"):
            SamplerSettings(seed=bad)


# -- 8. a UTF-8 byte-order mark is accepted ----------------------------------------------


def test_8_bom_in_toml_and_csv_is_accepted(tmp_path):
    case = tmp_path / "bom-case.toml"
    case.write_text("\ufeff" + MALI_TEXT, encoding="utf-8")
    assert load_case(case).id == "mali-2013"
    priors = tmp_path / "bom-effects.toml"
    priors.write_text("\ufeff" + EFFECTS_TEXT, encoding="utf-8")
    assert load_effect_priors(priors).intercept.mu == load_effect_priors(EFFECTS).intercept.mu
    data = tmp_path / "bom.csv"
    data.write_text("\ufeff" + REFERENCE_TEXT, encoding="utf-8")
    assert len(load_reference(data)) == len(load_reference(REFERENCE))


# -- 9. a damaged fit-cache entry is discarded and refitted -------------------------------


def _damage(kind: str, path: Path, good: bytes) -> None:
    if kind == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(os.urandom(2048))
    elif kind == "zip-without-layout":
        np.savez(path, other=np.zeros(3))


@pytest.mark.parametrize("kind", ["truncated", "empty", "garbage", "zip-without-layout"])
@pytest.mark.parametrize("use_cache", [True, False])
def test_9_damaged_cache_entry_is_refitted_and_replaced(
    tmp_path, monkeypatch, mali_fit_inputs, kind, use_cache
):
    monkeypatch.setenv("FORECAST_CACHE_DIR", str(tmp_path))
    calls = []

    def fake_sample(*args, **kwargs):
        calls.append(1)
        return fake_posterior()

    monkeypatch.setattr(fitting, "sample", fake_sample)
    settings = SamplerSettings()
    first = fitting.fit(*mali_fit_inputs, settings, progressbar=False)
    path = tmp_path / f"{first.key}.npz"
    _damage(kind, path, path.read_bytes())
    again = fitting.fit(*mali_fit_inputs, settings, progressbar=False, use_cache=use_cache)
    assert not again.from_cache and len(calls) == 2
    # the bad entry was replaced by the new fit
    assert fitting._load(path)["posterior"]["beta"].equals(first.posterior["posterior"]["beta"])
    third = fitting.fit(*mali_fit_inputs, settings, progressbar=False)
    assert third.from_cache and len(calls) == 2


# -- 10. a damaged or foreign log is refused, unchanged, before any forecast ---------------


def _log_with_entries(path: Path, n: int = 40) -> None:
    entry = store.Entry(
        case_id="mali-2013",
        as_of=dt.date(2013, 1, 14),
        scenarios={"current": {"p_median": 0.4}},
        data_sha256="d",
        priors_sha256="p",
        case_sha256="c",
        package_version="0",
        fit_key="k",
        reliable=True,
        note="n" * 3000,
    )
    for _ in range(n):
        store.record(entry, path)


def _corrupt_pages(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:  # fold the WAL in, so the pages are in the file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(path, "r+b") as handle:  # keep the 100-byte header and page 1 intact
        handle.seek(4096 * 2)
        handle.write(np.random.default_rng(1).bytes(4096 * 6))


@pytest.mark.parametrize("damage", ["corrupt pages", "foreign sqlite", "not sqlite", "newer"])
def test_10_a_bad_log_is_refused_unchanged(tmp_path, monkeypatch, capsys, no_fit, damage):
    path = tmp_path / "forecast-log.sqlite"
    if damage == "corrupt pages":
        _log_with_entries(path)
        _corrupt_pages(path)
        message = "malformed"
    elif damage == "foreign sqlite":
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("CREATE TABLE users (name TEXT)")
            conn.commit()
        message = "an SQLite file that is not a forecast log"
    elif damage == "not sqlite":
        path.write_bytes(b"%PDF-1.7 not a database at all" * 200)
        message = "file is not a database"
    else:
        _log_with_entries(path, 1)
        with closing(sqlite3.connect(path)) as conn:
            conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
        message = "newer than this package reads"
    before = path.read_bytes()
    monkeypatch.setenv(LOG_ENV, str(path))
    for args in (
        ["log", "score"],
        ["log", "show", "mali-2013"],
        ["log", "resolve", "mali-2013", "--outcome", "1", "--date", "2015-01-01"],
        ["log", "record", "mali-2013"],
        ["report", "mali-2013", "-o", str(tmp_path / "r.pdf")],
    ):
        code, out, err = run(monkeypatch, capsys, *args)
        assert_one_line_exit_2(code, out, err, f"{path}:", message)
    assert path.read_bytes() == before
    assert not (tmp_path / "r.pdf").exists()
    if damage == "foreign sqlite":  # never switched to WAL
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_10_a_good_log_still_works(tmp_path):
    path = tmp_path / "log.sqlite"
    _log_with_entries(path, 3)
    assert store.check_log(path, writing=True) == path
    assert len(store.history("mali-2013", path)) == 3


# -- 11. printed errors are text, not Rich markup ------------------------------------------


def test_11_paths_and_keys_with_brackets_print_intact(tmp_path, monkeypatch, capsys, no_fit):
    folder = tmp_path / "[draft]"
    folder.mkdir()
    missing = folder / "case.toml"
    code, out, err = run(monkeypatch, capsys, "predict", str(missing))
    assert_one_line_exit_2(code, out, err, f"{missing}: file not found")
    case = case_with(folder, r"^\[case\]$", '[case]\n"[/red]" = 1', name="markup.toml")
    code, out, err = run(monkeypatch, capsys, "predict", str(case))
    assert_one_line_exit_2(code, out, err, f"{case}: case.[/red]: unknown key")


def test_11_the_unreliable_warning_names_each_parameter(capsys):
    problems = [f"beta[{f}]: R-hat 1.050 > 1.01" for f in FACTOR_IDS]
    result = types.SimpleNamespace(
        reliable=False, convergence=types.SimpleNamespace(problems=problems)
    )
    exit_if_unreliable(result, allow_unreliable=True)
    err = capsys.readouterr().err
    for factor in FACTOR_IDS:
        assert f"beta[{factor}]: R-hat" in err


# -- 12. errors come early, blame the right file, on one line ------------------------------


def test_12_as_of_before_every_reference_case_blames_the_case_before_fitting(
    tmp_path, monkeypatch, capsys, no_fit
):
    case = case_with(tmp_path, r"^as_of = .*$", "as_of = 1950-01-01")
    code, out, err = run(monkeypatch, capsys, "predict", str(case))
    assert_one_line_exit_2(code, out, err, f"{case}: case.as_of: 1950-01-01 is before")
    assert "Fitting" not in err


def test_12_a_semicolon_csv_is_one_line(tmp_path, monkeypatch, capsys, no_fit):
    frame = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False)
    path = tmp_path / "semicolon.csv"
    frame.to_csv(path, sep=";", index=False)
    code, out, err = run(monkeypatch, capsys, "predict", "mali-2013", "--data", str(path))
    assert_one_line_exit_2(code, out, err, f"{path}: line 1: the columns are separated by ';'")


def test_12_messages_and_names_are_one_line():
    error = InputError("reports/a\nb.toml", "line 3", "Expected 2 fields,\nsaw 5\n")
    assert str(error) == "reports/a\\nb.toml: line 3: Expected 2 fields, saw 5"


# -- 13. text the PDF's fonts lack: a warning ----------------------------------------------


def _case_text(tmp_path, *replacements) -> Path:
    text = MALI_TEXT
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_13_cjk_and_emoji_in_rationales_are_warned_about(tmp_path):
    from forecasting.report.fonts import unrenderable_text

    path = _case_text(
        tmp_path,
        ('title = "French and African intervention in Mali"', 'title = "マリ 개입"'),
        ('rationale = """Schismatic.', 'rationale = """政府 collapsed 😀 Schismatic.'),
    )
    warnings = unrenderable_text(types.SimpleNamespace(case=load_case(path)))
    assert len(warnings) == 2
    assert warnings[0].startswith(f"{path}: case.title: characters the PDF's fonts do not cover")
    assert "(マ リ 개 …)" in warnings[0]
    assert "factors.political_cohesion.rationale" in warnings[1] and "😀" in warnings[1]


def test_13_latin_greek_and_cyrillic_are_fine(tmp_path):
    from forecasting.report.fonts import unrenderable_text

    text = "Côte d'Ivoire, Ελληνικά, Кириллица — “quoted” ± 5 → ok. "
    path = _case_text(tmp_path, ('rationale = """Schismatic.', f'rationale = """{text}'))
    assert unrenderable_text(types.SimpleNamespace(case=load_case(path))) == []


# -- 14. accepted but weak: warnings on stderr and in the result --------------------------


def test_14_self_contrast_and_future_as_of_are_case_warnings(tmp_path):
    path = case_with(tmp_path, r'^baseline = ".*"$', 'baseline = "accelerated"')
    case = load_case(path)
    assert any(
        "contrasts[0]: compares scenario 'accelerated' with itself" in w for w in case.warnings
    )
    future = dt.date.today() + dt.timedelta(days=400)
    path = case_with(tmp_path, r"^as_of = .*$", f"as_of = {future}", name="future.toml")
    (warning,) = load_case(path).warnings
    assert warning.startswith(f"{path}: case.as_of: {future} is in the future")


@pytest.mark.parametrize(
    ("keep", "expected"),
    [
        (lambda f: f.head(3), ["only 3 reference case(s)"]),
        (lambda f: f[f["outcome"] == "1"], ["no failures"]),
        (lambda f: f[f["outcome"] == "0"], ["no successes"]),
        (lambda f: f.head(1), ["only 1 reference case(s)", "no "]),
    ],
)
def test_14_thin_reference_sets_are_warned_about(tmp_path, keep, expected):
    data = reference_subset(tmp_path, keep)
    inputs = pipeline.load_inputs("mali-2013", data_path=data)
    warnings = inputs.warnings()
    for fragment in expected:
        assert any(fragment in w and w.startswith(str(data)) for w in warnings), warnings


def test_14_the_shipped_inputs_give_no_warning():
    assert pipeline.load_inputs("mali-2013").warnings() == []


def test_14_warnings_are_printed_before_fitting(tmp_path, monkeypatch, capsys):
    def tripwire(*args, **kwargs):
        raise InputError("tripwire", "", "fitting started")

    monkeypatch.setattr(pipeline, "run_forecast", tripwire)
    data = reference_subset(tmp_path, lambda f: f[f["outcome"] == "1"])
    code, _, err = run(monkeypatch, capsys, "predict", "mali-2013", "--data", str(data))
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert any(w.startswith(f"warning: {data}: outcome: no failures among") for w in warnings)
    # and the prior predictive gate: priors that expect failures, a record without any
    assert any(": intercept: the priors expect" in w for w in warnings)
    assert err.index("warning:") < err.index("fitting started") and code == 2


def test_14_the_report_lists_the_warnings_as_caveats():
    from forecasting.report.content import _caveats

    result = types.SimpleNamespace(
        split=types.SimpleNamespace(used=types.SimpleNamespace(cases=pd.read_csv(REFERENCE))),
        case=types.SimpleNamespace(as_of=dt.date(2013, 1, 14)),
        extrapolation=types.SimpleNamespace(outside=list),
        reliable=True,
        warnings=("data.csv: outcome: no failures among the 4 reference case(s) used",),
    )
    assert "Warning: data.csv: outcome: no failures among the 4" in " ".join(_caveats(result))


# -- 15. the sampler has a budget ----------------------------------------------------------


class _StuckSampler:
    def __init__(self):
        self.cancelled = False
        self.timeout = None

    def wait(self, *, timeout=None):
        self.timeout = timeout
        raise TimeoutError("Timeout while waiting for sampler to finish")

    def cancel(self):
        self.cancelled = True


def test_15_sampling_past_the_budget_is_stopped_with_one_line(monkeypatch):
    stuck, options = _StuckSampler(), {}

    def fake_sample(compiled, **kwargs):
        options.update(kwargs)
        return stuck

    monkeypatch.setitem(sys.modules, "nutpie", types.SimpleNamespace(sample=fake_sample))
    monkeypatch.setenv(budget.BUDGET_ENV, "0.5")
    with pytest.raises(InputError) as info:
        budget.sample_within_budget(object(), "priors/effects.toml", draws=1000, tune=1000)
    assert stuck.cancelled and stuck.timeout == 0.5
    assert options["maxdepth"] == budget.MAX_TREE_DEPTH == 10 and options["blocking"] is False
    assert str(info.value).startswith("priors/effects.toml: sampling ran past its budget of 0.5 s")
    assert "\n" not in str(info.value)


def test_15_the_default_budget_grows_with_the_draws(monkeypatch):
    monkeypatch.delenv(budget.BUDGET_ENV, raising=False)
    assert budget.budget_seconds(1000, 1000) == budget.BUDGET_S
    assert budget.budget_seconds(10_000, 10_000) == 10 * budget.BUDGET_S
    for bad in ("soon", "0", "-5"):
        monkeypatch.setenv(budget.BUDGET_ENV, bad)
        with pytest.raises(InputError, match=budget.BUDGET_ENV):
            budget.budget_seconds(1000, 1000)


def test_15_priors_too_wide_to_sample_are_refused_up_front(tmp_path, monkeypatch, capsys, no_fit):
    path = priors_with(tmp_path, r"^sigma = .*$", "sigma = 1000")
    code, out, err = run(monkeypatch, capsys, "report", "mali-2013", "--priors", str(path))
    assert_one_line_exit_2(code, out, err, f"{path}: intercept.sigma: 1000 is too wide")
