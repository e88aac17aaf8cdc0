"""Measure the speed targets of issue 6 side by side, in fresh processes.

    python benchmarks/run.py [--repeats 3]

Prints a Markdown table of medians and ratios. Each measurement runs in a new
process, as a user's command would. Compiler caches (PyTensor's on disk) are
left as they are: warm after the first run, as for any user.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FORECAST = [PYTHON, "-m", "forecasting"]

# A plain PyMC logit of the same size as the project's model: an intercept and four
# coefficients on 50 cases, sampled as `pm.sample(cores=2)` does by default.
BASELINE = textwrap.dedent(
    """
    import numpy as np, pymc as pm
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4))
    y = rng.binomial(1, 1 / (1 + np.exp(-(0.3 + x @ np.array([0.8, 0.2, 0.9, 0.1])))))
    with pm.Model():
        alpha = pm.Normal("alpha", 0, 1.5)
        beta = pm.Normal("beta", 0, 1, shape=4)
        pm.Bernoulli("y", logit_p=alpha + pm.math.dot(x, beta), observed=y)
        pm.sample(draws=1000, tune=1000, chains=4, cores=2, random_seed=1, progressbar=False)
    """
)

# Refit inside one session after changing one prior (what a notebook does).
REFIT = textwrap.dedent(
    """
    import time
    from forecasting.priors.elicitation import Statement, effect_prior
    from forecasting.model.fitting import fit
    from forecasting.model.logit import model_inputs
    from forecasting.pipeline import load_inputs
    from forecasting.settings import SamplerSettings
    from forecasting.priors.effects import with_prior
    inputs = load_inputs("mali-2013")
    data = model_inputs(inputs.reference)
    t = time.perf_counter()
    fit(data, inputs.priors, SamplerSettings(), progressbar=False, use_cache=False)
    first = time.perf_counter() - t
    revised = effect_prior(Statement.odds_ratio_interval(0.8, 2.0, 0.9), author="benchmark",
                           rationale="a revised timing prior")
    changed = with_prior(inputs.priors, "timing", revised)
    t = time.perf_counter()
    fit(data, changed, SamplerSettings(), progressbar=False, use_cache=False)
    print(first, time.perf_counter() - t)
    """
)


def wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    rows: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            env = os.environ | {
                "FORECAST_CACHE_DIR": str(Path(tmp) / "cache"),  # empty fit cache
                "FORECAST_LOG": str(Path(tmp) / "log.sqlite"),
            }
            rows.setdefault("plain PyMC: import + pm.sample(cores=2), same size", []).append(
                wall([PYTHON, "-c", BASELINE], env)
            )
            report = [*FORECAST, "report", "mali-2013", "-o", str(Path(tmp) / "r.pdf")]
            rows.setdefault("forecast report mali-2013, empty fit cache", []).append(
                wall(report, env)
            )
            rows.setdefault("forecast predict mali-2013, cached fit", []).append(
                wall([*FORECAST, "predict", "mali-2013"], env)
            )
            rows.setdefault("python startup alone", []).append(wall([PYTHON, "-c", "pass"], env))
            rows.setdefault("import forecasting.cli.main (incl. startup)", []).append(
                wall([PYTHON, "-c", "import forecasting.cli.main"], env)
            )
            out = subprocess.run(
                [PYTHON, "-c", REFIT],
                env=env,
                check=True,
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout.split()
            rows.setdefault("notebook session: first fit", []).append(float(out[0]))
            rows.setdefault("notebook session: refit after changing one prior", []).append(
                float(out[1])
            )

    median = {name: statistics.median(values) for name, values in rows.items()}
    print(
        f"Measured {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{args.repeats} repetitions (medians, seconds)\n"
    )
    print("| measurement | median (s) | all runs (s) |")
    print("| --- | ---: | --- |")
    for name, values in rows.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"| {name} | {median[name]:.2f} | {runs} |")
    baseline = median["plain PyMC: import + pm.sample(cores=2), same size"]
    report = median["forecast report mali-2013, empty fit cache"]
    predict = median["forecast predict mali-2013, cached fit"]
    imports = median["import forecasting.cli.main (incl. startup)"] - median["python startup alone"]
    speedup = (
        median["notebook session: first fit"]
        / median["notebook session: refit after changing one prior"]
    )
    print("\n| target | measured | goal | met |")
    print("| --- | ---: | ---: | --- |")
    print(
        f"| report (empty cache) / plain PyMC | {report / baseline:.2f} | <= 1.0 | "
        f"{'yes' if report <= baseline else 'no'} |"
    )
    print(f"| warm predict, wall (s) | {predict:.2f} | < 3 | {'yes' if predict < 3 else 'no'} |")
    print(
        f"| notebook refit speed-up (first fit / refit) | {speedup:.1f}x | >= 5x | "
        f"{'yes' if speedup >= 5 else 'no'} |"
    )
    print(
        f"| import forecasting.cli.main (s, minus startup) | {imports:.2f} | < 1 | "
        f"{'yes' if imports < 1 else 'no'} |"
    )


if __name__ == "__main__":
    main()
