import textwrap

import pytest

from forecasting.errors import InputError
from forecasting.factors import FACTOR_IDS
from forecasting.inputs.cases import CURRENT, load_case
from tests.conftest import MALI

MINIMAL = """\
[case]
id = "test-case"
title = "A test case"
as_of = 2013-01-14
host = "Testland"
outcome = "objective met within 24 months"
horizon_months = 24
""" + "".join(
    f'\n[factors.{f}]\nrating = 3.0\nsd = 0.5\nrationale = "typical"\n' for f in FACTOR_IDS
)


def write(tmp_path, text: str):
    path = tmp_path / "case.toml"
    path.write_text(textwrap.dedent(text))
    return path


def error_of(tmp_path, text: str) -> str:
    with pytest.raises(InputError) as info:
        load_case(write(tmp_path, text))
    return str(info.value)


def test_mali_case_has_current_first_and_the_two_planned_scenarios():
    case = load_case("mali-2013")
    assert case.path == MALI
    assert next(iter(case.scenarios)) == CURRENT
    assert {"accelerated", "as_planned"} <= set(case.scenarios)
    assert case.as_of.isoformat() == "2013-01-14"
    planned = case.scenarios["as_planned"]
    assert planned.factors["timing"].rating > case.scenarios[CURRENT].factors["timing"].rating
    # factors a scenario does not override are the case's own
    assert case.scenarios["accelerated"].factors == case.scenarios[CURRENT].factors
    assert ("accelerated", "as_planned") in case.contrasts


def test_a_case_without_scenarios_yields_only_current(tmp_path):
    case = load_case(write(tmp_path, MINIMAL))
    assert list(case.scenarios) == [CURRENT]
    assert case.contrasts == ()


def test_case_given_by_path_anywhere(tmp_path):
    assert load_case(str(write(tmp_path, MINIMAL))).id == "test-case"


def test_unknown_case_id_names_the_known_ones():
    with pytest.raises(InputError, match=r"no such case .*mali-2013"):
        load_case("atlantis-2031")


def test_unknown_factor(tmp_path):
    text = MINIMAL + '\n[factors.morale]\nrating = 2\nsd = 1\nrationale = "x"\n'
    assert "case.toml: factors.morale: unknown factor (known: political_cohesion" in error_of(
        tmp_path, text
    )


def test_unknown_factor_in_a_scenario(tmp_path):
    text = MINIMAL + (
        '\n[scenarios.later]\ndescription = "later"\n'
        '[scenarios.later.factors.weather]\nrating = 2\nsd = 1\nrationale = "x"\n'
    )
    assert "scenarios.later.factors.weather: unknown factor" in error_of(tmp_path, text)


def test_unknown_scenario_in_a_contrast(tmp_path):
    text = MINIMAL + '\n[[contrasts]]\nscenario = "later"\nbaseline = "current"\n'
    assert "contrasts[0].scenario: unknown scenario 'later'" in error_of(tmp_path, text)


def test_rating_outside_1_to_5(tmp_path):
    text = MINIMAL.replace("rating = 3.0", "rating = 6.0", 1)
    assert "factors.political_cohesion.rating: Input should be less than or equal to 5" in error_of(
        tmp_path, text
    )


def test_negative_sd(tmp_path):
    text = MINIMAL.replace("sd = 0.5", "sd = -0.5", 1)
    assert "factors.political_cohesion.sd: Input should be greater than or equal to 0" in error_of(
        tmp_path, text
    )


def test_missing_required_key(tmp_path):
    text = MINIMAL.replace("as_of = 2013-01-14\n", "")
    assert "case.toml: case.as_of: required key is missing" in error_of(tmp_path, text)


def test_missing_factor(tmp_path):
    text = MINIMAL.split("\n[factors.timing]")[0]
    assert "case.toml: factors.timing: required table is missing" in error_of(tmp_path, text)


def test_malformed_toml(tmp_path):
    text = MINIMAL.replace('host = "Testland"', 'host = "Testland')
    assert "case.toml: line 5: malformed TOML" in error_of(tmp_path, text)


def test_every_problem_is_reported_at_once(tmp_path):
    text = MINIMAL.replace("rating = 3.0", "rating = 6.0").replace("sd = 0.5", "sd = -1", 1)
    message = error_of(tmp_path, text)
    assert "and 4 more" in message and "\n" not in message


def test_a_horizon_other_than_the_reference_class_is_refused(tmp_path):
    message = error_of(tmp_path, MINIMAL.replace("horizon_months = 24", "horizon_months = 36"))
    assert "case.horizon_months" in message and "judges outcomes at 24 months" in message


def test_scenario_labels_default_to_the_name_in_words(tmp_path):
    text = MINIMAL + (
        '\n[scenarios.as_planned]\ndescription = "d"\n'
        '\n[scenarios.rushed_start]\nlabel = "Rushed start (as it happened)"\ndescription = "d"\n'
    )
    case = load_case(write(tmp_path, text))
    assert case.scenarios["as_planned"].label == "as planned"
    assert case.scenarios["rushed_start"].label == "Rushed start (as it happened)"
    assert case.scenarios[CURRENT].label == "Current assessment"
