"""Provenance: what a forecast was computed from, so a reader can reproduce it."""

from __future__ import annotations

import datetime as dt
import subprocess
from importlib import metadata
from pathlib import Path

from forecasting.files import sha256_of_file, sha256_of_path
from forecasting.settings import MODEL_VERSION, SamplerSettings, project_root

PACKAGE = "mission-forecasting"


def package_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def git_commit(root: Path | None = None) -> str | None:
    """The checkout's commit, with `-dirty` when files differ from it; None outside git."""
    root = root or project_root()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("-dirty" if dirty else "")


def provenance(
    *, data: Path, priors: Path, case: Path, settings: SamplerSettings, fit_key: str
) -> dict:
    versions = {name: metadata.version(name) for name in ("pymc", "arviz", "nutpie", "numpy")}
    return {
        "data_file": str(data),
        "data_sha256": sha256_of_file(data),
        "priors_file": str(priors),
        "priors_sha256": sha256_of_path(priors),
        "case_file": str(case),
        "case_sha256": sha256_of_file(case),
        "package_version": package_version(),
        "git_commit": git_commit(),
        "model_version": MODEL_VERSION,
        "fit_key": fit_key,
        "seed": settings.seed,
        "sampler": f"nutpie NUTS, {settings.chains} chains x {settings.draws} draws "
        f"(+{settings.tune} tuning)",
        "libraries": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
