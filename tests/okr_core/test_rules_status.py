"""Status from pace, and check-ins overriding it."""
from datetime import datetime

import pytest

from okr_core.domain import KRStatus
from okr_core.rules import (
    DEFAULT_THRESHOLDS,
    CheckInView,
    StatusDecision,
    StatusThresholds,
    effective_status,
    pace_status,
)

ON, RISK, OFF = KRStatus.ON_TRACK, KRStatus.AT_RISK, KRStatus.OFF_TRACK


@pytest.mark.parametrize("progress, expected, status", [
    pytest.param(0.45, 0.5, ON, id="exactly-0.9-of-expected"),
    pytest.param(0.4499, 0.5, RISK, id="just-below-0.9"),
    pytest.param(0.63, 0.9, RISK, id="exactly-0.7-of-expected"),
    pytest.param(0.6299, 0.9, OFF, id="just-below-0.7"),
    pytest.param(0.8, 0.5, ON, id="ahead-of-pace"),
    pytest.param(1.4, 1.0, ON, id="over-achieved"),
    pytest.param(-0.1, 0.3, OFF, id="went-backwards"),
    pytest.param(None, 0.3, KRStatus.NOT_STARTED, id="no-value-is-not-started"),
    pytest.param(None, 0.95, KRStatus.NOT_STARTED, id="no-value-late-in-cycle-not-judged"),
    pytest.param(0.0, 0.0, ON, id="cycle-start-nothing-done"),
    pytest.param(None, 0.0, KRStatus.NOT_STARTED, id="cycle-start-no-value"),
    pytest.param(-0.5, 0.0, ON, id="cycle-start-even-backwards"),
])
def test_pace_status_compares_progress_with_expected(progress, expected, status):
    assert pace_status(progress, expected) is status


@pytest.mark.parametrize("progress, status", [
    pytest.param(0.8, ON, id="at-custom-on-track"),
    pytest.param(0.79, RISK, id="below-custom-on-track"),
    pytest.param(0.5, RISK, id="at-custom-at-risk"),
    pytest.param(0.49, OFF, id="below-custom-at-risk"),
])
def test_pace_status_uses_configured_thresholds(progress, status):
    assert pace_status(progress, 1.0, StatusThresholds(on_track=0.8, at_risk=0.5)) is status


@pytest.mark.parametrize("on_track, at_risk", [
    pytest.param(0.9, 0.0, id="zero-at-risk"),
    pytest.param(0.6, 0.7, id="at-risk-above-on-track"),
    pytest.param(1.1, 0.7, id="on-track-above-one"),
    pytest.param(0.9, -0.2, id="negative"),
])
def test_invalid_thresholds_are_refused(on_track, at_risk):
    with pytest.raises(ValueError, match="thresholds"):
        StatusThresholds(on_track=on_track, at_risk=at_risk)


def test_default_thresholds_follow_the_spec():
    assert (DEFAULT_THRESHOLDS.on_track, DEFAULT_THRESHOLDS.at_risk) == (0.9, 0.7)


MOVED = datetime(2026, 11, 10, 12, 0)
PACE = StatusDecision(ON, None, "pace")


@pytest.mark.parametrize("moved_at, checkin, decision", [
    pytest.param(MOVED, None, PACE, id="no-check-in"),
    pytest.param(MOVED, CheckInView(OFF, 3, datetime(2026, 11, 11)),
                 StatusDecision(OFF, 3, "check-in"), id="newer-check-in-overrides"),
    pytest.param(MOVED, CheckInView(OFF, 3, datetime(2026, 11, 9)), PACE,
                 id="older-check-in-ignored"),
    pytest.param(MOVED, CheckInView(OFF, 3, MOVED), StatusDecision(OFF, 3, "check-in"),
                 id="same-moment-check-in-that-moved-progress-wins"),
    pytest.param(None, CheckInView(RISK, 6, datetime(2026, 11, 1)),
                 StatusDecision(RISK, 6, "check-in"), id="progress-never-moved"),
    pytest.param(MOVED, CheckInView(RISK, None, datetime(2026, 11, 12)),
                 StatusDecision(RISK, None, "check-in"), id="check-in-without-confidence"),
])
def test_effective_status_prefers_a_newer_check_in(moved_at, checkin, decision):
    assert effective_status(ON, moved_at, checkin) == decision


@pytest.mark.parametrize("confidence", [-1, 11], ids=["below-zero", "above-ten"])
def test_check_in_confidence_outside_0_to_10_is_refused(confidence):
    with pytest.raises(ValueError, match="confidence"):
        CheckInView(ON, confidence, MOVED)
