"""A reported status that the pace contradicts is flagged with where the pace ends."""
import pytest

from okr_core.domain import KRStatus
from okr_core.rules.pace_check import pace_disagreement
from okr_core.value_format import value_style

ON, RISK, OFF = KRStatus.ON_TRACK, KRStatus.AT_RISK, KRStatus.OFF_TRACK
INCIDENTS = value_style("incidents", "manual", 8, 2)


@pytest.mark.parametrize("reported, progress, expected, flagged", [
    pytest.param(ON, 0.325, 0.5, True, id="on-track-reported-off-by-pace"),
    pytest.param(ON, 0.40, 0.5, True, id="on-track-reported-at-risk-by-pace"),
    pytest.param(ON, 0.48, 0.5, False, id="agrees"),
    pytest.param(RISK, 0.2, 0.5, True, id="at-risk-reported-off-by-pace"),
    pytest.param(OFF, 0.6, 0.5, True, id="off-track-reported-on-by-pace"),
    pytest.param(RISK, 0.6, 0.5, False, id="cautious-by-one-band-not-flagged"),
    pytest.param(ON, None, 0.5, False, id="no-value-nothing-to-contradict"),
    pytest.param(KRStatus.NOT_STARTED, 0.1, 0.5, False, id="not-started"),
    pytest.param(ON, 0.1, 0.0, False, id="cycle-not-begun"),
])
def test_disagreements_are_flagged_when_the_pace_contradicts_the_report(reported, progress,
                                                                        expected, flagged):
    found = pace_disagreement(reported, progress, expected, 8, 2, INCIDENTS)
    assert (found is not None) is flagged


def test_the_message_says_where_the_current_pace_ends_in_the_krs_unit():
    found = pace_disagreement(ON, 0.3, 0.5, 8, 2, INCIDENTS)
    assert found.message == "reported on track, but at the current pace it reaches 4.4 incidents (target 2 incidents)"
    assert (found.pace, round(found.projected_value, 2)) == (OFF, 4.4)


def test_percent_krs_read_in_percent():
    style = value_style("%", "work_done_ratio", 0, 100)
    found = pace_disagreement(ON, 0.2, 0.5, 0, 100, style)
    assert found.message.endswith("reaches 40% of 100%")


def test_a_value_written_with_a_decimal_keeps_its_own_places():
    """"25.2% of 35%", not "25.19% of 35%": only whole-number styles gain a decimal for the projection."""
    style = value_style("%", "manual", 10, 35)
    found = pace_disagreement(ON, 0.45, 0.7, 10, 35, style)
    assert found.message == "reported on track, but at the current pace it reaches 26.1% of 35%"
