import datetime as dt
import shutil

import pytest
import tomlkit

from forecasting.errors import InputError
from forecasting.factors import FACTOR_IDS
from forecasting.priors.effects import (
    EffectPrior,
    Elicitation,
    load_effect_priors,
    save_effect_priors,
    with_prior,
)
from forecasting.priors.statements import odds_ratio_interval, probability_interval
from tests.conftest import EFFECTS


def test_shipped_priors_cover_every_factor_with_provenance():
    priors = load_effect_priors(EFFECTS)
    assert list(priors.factors) == list(FACTOR_IDS)
    for prior in [priors.intercept, *priors.factors.values()]:
        assert prior.author and prior.rationale and prior.elicitation is not None
        assert prior.sigma > 0


def test_elicitation_matches_preliz_maxent():
    # 90% of a Normal within +-1.645 sd: the interval's log-bounds pin mu and sigma.
    p = odds_ratio_interval(1.1, 3.0, 0.9)
    assert p.mu == pytest.approx((0.09531 + 1.09861) / 2, abs=1e-3)
    assert p.sigma == pytest.approx((1.09861 - 0.09531) / (2 * 1.6449), rel=2e-3)
    q = probability_interval(0.25, 0.75, 0.9)
    assert q.mu == pytest.approx(0.0, abs=1e-3)


def test_round_trip_keeps_comments_order_and_changes_only_the_prior(tmp_path):
    path = tmp_path / "effects.toml"
    shutil.copy(EFFECTS, path)
    priors = load_effect_priors(path)
    implied = odds_ratio_interval(1.2, 4.0, 0.8)
    new = EffectPrior(
        distribution="Normal",
        mu=implied.mu,
        sigma=implied.sigma,
        author="test forecaster",
        date=dt.date(2026, 11, 28),
        rationale="revised after reading about EUTM Mali",
        elicitation=Elicitation(
            statement="80% sure: 1.2 to 4",
            kind="odds_ratio_interval",
            lower=1.2,
            upper=4.0,
            mass=0.8,
        ),
    )
    save_effect_priors(with_prior(priors, "host_army", new))
    before, after = EFFECTS.read_text(), path.read_text()
    comments = [line for line in before.splitlines() if line.startswith("#")]
    assert comments and all(line in after for line in comments)
    keys = [line.split("=")[0].strip() for line in after.splitlines() if "=" in line]
    assert keys == [line.split("=")[0].strip() for line in before.splitlines() if "=" in line]
    reloaded = load_effect_priors(path)
    assert reloaded.factors["host_army"].mu == pytest.approx(implied.mu)
    assert reloaded.factors["host_army"].author == "test forecaster"
    assert reloaded.factors["timing"] == priors.factors["timing"]


def _edited(tmp_path, edit) -> str:
    doc = tomlkit.parse(EFFECTS.read_text())
    edit(doc)
    path = tmp_path / "effects.toml"
    path.write_text(tomlkit.dumps(doc))
    with pytest.raises(InputError) as info:
        load_effect_priors(path)
    return str(info.value)


def test_unknown_factor_is_rejected(tmp_path):
    def edit(doc):
        doc["factors"]["morale"] = doc["factors"]["timing"]

    assert "effects.toml: factors.morale: unknown factor" in _edited(tmp_path, edit)


def test_negative_sigma_is_rejected(tmp_path):
    def edit(doc):
        doc["factors"]["timing"]["sigma"] = -1.0

    assert "factors.timing.sigma: Input should be greater than 0" in _edited(tmp_path, edit)


def test_missing_factor_is_rejected(tmp_path):
    def edit(doc):
        del doc["factors"]["host_army"]

    assert "factors.host_army: required table is missing" in _edited(tmp_path, edit)


def test_numbers_that_no_longer_match_their_statement_are_rejected(tmp_path):
    def edit(doc):
        doc["factors"]["timing"]["mu"] = 1.5

    message = _edited(tmp_path, edit)
    assert "factors.timing: mu = 1.5, sigma = 0.4338 do not match the elicitation" in message


@pytest.mark.parametrize(
    ("kind", "lower", "upper", "mass"),
    [
        ("odds_ratio_interval", 1.1, 3.0, 0.9),
        ("odds_ratio_interval", 0.6, 2.5, 0.8),
        ("probability_interval", 0.3, 0.75, 0.9),
        ("probability_interval", 0.05, 0.5, 0.5),
    ],
)
def test_closed_form_check_agrees_with_preliz(kind, lower, upper, mass):
    from forecasting.priors.statements import statement_normal

    helper = {
        "odds_ratio_interval": odds_ratio_interval,
        "probability_interval": probability_interval,
    }[kind]
    numeric, exact = helper(lower, upper, mass), statement_normal(kind, lower, upper, mass)
    assert numeric.mu == pytest.approx(exact.mu, abs=1e-3)
    assert numeric.sigma == pytest.approx(exact.sigma, rel=1e-3)


def test_a_save_that_fails_midway_leaves_the_old_file_intact(tmp_path, monkeypatch):
    import os

    path = tmp_path / "effects.toml"
    shutil.copy(EFFECTS, path)
    before = path.read_bytes()
    priors = load_effect_priors(path)
    changed = with_prior(
        priors, "timing", priors.factors["timing"].model_copy(update={"rationale": "changed"})
    )

    def crash(*args, **kwargs):
        raise OSError("disk full")  # the new text is written, but never moved into place

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        save_effect_priors(changed)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["effects.toml"]  # no temporary left


def test_an_invalid_prior_is_rejected_before_anything_is_written(tmp_path):
    path = tmp_path / "effects.toml"
    shutil.copy(EFFECTS, path)
    before = path.read_bytes()
    priors = load_effect_priors(path)
    stale = priors.factors["timing"].model_copy(update={"mu": 3.0})  # no longer its statement
    with pytest.raises(InputError, match="do not match the elicitation"):
        save_effect_priors(with_prior(priors, "timing", stale))
    assert path.read_bytes() == before
