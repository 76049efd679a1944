"""Key result numbers: ratio measures in percent, a target apart from its start, drafts."""
import pytest

from okr_core.checkins import CheckInFields
from okr_core.domain import KRStatus, Measure
from okr_core.rules import key_result_problems, with_measure_defaults

RATIO, POINTS, MANUAL, COUNT = (Measure.WORK_DONE_RATIO, Measure.POINTS_DONE_RATIO,
                                Measure.MANUAL, Measure.DONE_COUNT)


@pytest.mark.parametrize("given, measure, expected", [
    pytest.param({}, RATIO, {"start_value": 0.0, "target_value": 100.0, "unit": "%"},
                 id="ratio-gets-0-to-100-percent"),
    pytest.param({"target_value": 80.0}, POINTS,
                 {"start_value": 0.0, "target_value": 80.0, "unit": "%"}, id="given-target-kept"),
    pytest.param({"start_value": 20.0, "unit": ""}, RATIO,
                 {"start_value": 20.0, "target_value": 100.0, "unit": "%"},
                 id="empty-unit-becomes-percent"),
    pytest.param({}, MANUAL, {}, id="manual-gets-nothing"),
    pytest.param({"unit": "bugs"}, COUNT, {"unit": "bugs"}, id="count-keeps-its-unit"),
    pytest.param({}, None, {}, id="no-measure"),
])
def test_ratio_measures_default_to_percent_from_0_to_100(given, measure, expected):
    assert with_measure_defaults(given, measure) == expected


@pytest.mark.parametrize("measure, start, target, draft, fields", [
    pytest.param(MANUAL, 0, 10, False, set(), id="manual-fine"),
    pytest.param(RATIO, 0, 100, False, set(), id="ratio-0-100-fine"),
    pytest.param(RATIO, 0, 1, False, set(), id="ratio-target-1-percent-is-a-percent"),
    pytest.param(RATIO, 0, 150, False, {"target_value"}, id="ratio-target-above-100"),
    pytest.param(POINTS, 0, -5, False, {"target_value"}, id="ratio-target-below-0"),
    pytest.param(RATIO, 120, 100, False, {"start_value"}, id="ratio-start-above-100"),
    pytest.param(MANUAL, 5, 5, False, {"target_value"}, id="target-equals-start"),
    pytest.param(MANUAL, 5, 5, True, {"target_value"}, id="target-equals-start-even-in-draft"),
    pytest.param(MANUAL, 0.3, 0.1 + 0.2, False, {"target_value"}, id="equal-up-to-float-noise"),
    pytest.param(MANUAL, 10, 2, False, set(), id="going-down-fine"),
    pytest.param(MANUAL, 0, None, False, {"target_value"}, id="no-target-published"),
    pytest.param(MANUAL, 0, None, True, set(), id="no-target-draft-allowed"),
    pytest.param(COUNT, 0, 1000, False, set(), id="count-not-bound-to-100"),
])
def test_key_result_problems_name_the_field(measure, start, target, draft, fields):
    assert set(key_result_problems(measure, start, target, draft=draft)) == fields


def test_ratio_problem_says_the_range():
    message = key_result_problems(RATIO, 0, 300, draft=False)["target_value"]
    assert "between 0 and 100" in message and "300" in message


@pytest.mark.parametrize("fields, empty", [
    pytest.param(CheckInFields(), True, id="nothing"),
    pytest.param(CheckInFields(note="  ", blockers="\n", wins=""), True, id="only-blank-text"),
    pytest.param(CheckInFields(value=0.0), False, id="value-zero-is-something"),
    pytest.param(CheckInFields(status=KRStatus.AT_RISK), False, id="status"),
    pytest.param(CheckInFields(confidence=0), False, id="confidence-zero"),
    pytest.param(CheckInFields(note="on it"), False, id="note"),
    pytest.param(CheckInFields(blockers="waiting on legal"), False, id="blockers"),
    pytest.param(CheckInFields(wins="shipped"), False, id="wins"),
])
def test_empty_check_in_is_recognised(fields, empty):
    assert fields.is_empty() is empty
