"""The rules of a drafted check-in: the team week in its zone, the suggested status and confidence,
and the template note's words."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from okr_core.checkin_drafts.compose import (
    DraftFacts, MovedItem, NewBlocker, compose, suggested_confidence, suggested_status,
)
from okr_core.checkin_drafts.week import BadSchedule, check_in_week
from okr_core.domain import KRStatus

UTC = timezone.utc


def test_the_week_starts_on_the_teams_monday_and_is_due_at_its_local_time():
    # Sunday 23:30 UTC is already Monday in Tokyo: a new week there, still the old one in UTC.
    now = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    tokyo = check_in_week(4, "14:00", "Asia/Tokyo", now)
    assert tokyo.start == date(2026, 12, 7)
    assert tokyo.due_at == datetime(2026, 12, 11, 5, 0, tzinfo=UTC)      # Friday 14:00 JST
    assert not tokyo.is_due(now)
    utc = check_in_week(4, "14:00", "UTC", now)
    assert utc.start == date(2026, 11, 30) and utc.is_due(now)
    assert utc.starts_at == datetime(2026, 11, 30, tzinfo=UTC)
    berlin = check_in_week(0, "09:15", "Europe/Berlin", datetime(2026, 7, 6, 7, 14, tzinfo=UTC))
    assert berlin.due_at == datetime(2026, 7, 6, 7, 15, tzinfo=UTC)       # summer time, UTC+2
    assert not berlin.is_due(datetime(2026, 7, 6, 7, 14, tzinfo=UTC))


@pytest.mark.parametrize("weekday,at,zone,message", [
    (7, "14:00", "UTC", "not a weekday"), (4, "25:00", "UTC", "not a time of day"),
    (4, "2pm", "UTC", "not a time of day"), (4, "14:00", "Mars/Base", "not a time zone"),
])
def test_a_broken_schedule_says_what_is_wrong(weekday, at, zone, message):
    with pytest.raises(BadSchedule, match=message):
        check_in_week(weekday, at, zone, datetime(2026, 12, 6, tzinfo=UTC))


@pytest.mark.parametrize("progress,expected,chance,status", [
    (None, 0.5, None, None),                          # nothing to judge yet
    (0.5, 0.5, None, KRStatus.ON_TRACK),              # pace alone
    (0.5, 0.5, 0.2, KRStatus.OFF_TRACK),              # the forecast is worse: it wins
    (0.3, 0.5, 0.9, KRStatus.OFF_TRACK),              # the pace is worse: it wins
    (0.5, 0.5, 0.55, KRStatus.AT_RISK),
])
def test_the_suggested_status_is_the_worse_of_pace_and_forecast(progress, expected, chance, status):
    assert suggested_status(progress, expected, chance) == status


def test_the_suggested_confidence_follows_the_chance_and_drops_with_new_blockers():
    assert suggested_confidence(KRStatus.ON_TRACK, 0.83, 0) == 8
    assert suggested_confidence(KRStatus.ON_TRACK, 0.83, 2) == 7
    assert suggested_confidence(KRStatus.AT_RISK, None, 0) == 5
    assert suggested_confidence(None, None, 1) is None
    assert suggested_confidence(KRStatus.OFF_TRACK, 0.02, 1) == 0


def test_the_template_note_names_what_moved_the_blockers_and_the_status():
    facts = DraftFacts(
        title="Refunds", measure="work_done_ratio", unit="", start_value=0, target_value=100,
        current_value=40, progress=0.4, expected=0.5, chance=0.35,
        moved=[MovedItem("PAY-1", "Refund API", None, 3.0), MovedItem("PAY-2", "Docs", None, None)],
        blockers=[NewBlocker("waiting on the bank", "external", "PAY-3", None)])
    content = compose(facts)
    assert (content.items_done, content.points_done, content.needs_input) == (2, 3.0, False)
    assert content.suggested_status == KRStatus.OFF_TRACK and content.suggested_confidence == 3
    assert content.note == ("Now at 40 of 100. Done this week: 2 issues (3 points): PAY-1, PAY-2. "
                            "New blocker on PAY-3 (external): waiting on the bank. "
                            "Looks off track, with a 35% chance to reach the target.")


def test_a_manual_kr_is_marked_as_needing_input_with_its_last_value():
    facts = DraftFacts(title="NPS", measure="manual", unit="", start_value=20, target_value=60,
                       current_value=32, progress=0.3, expected=0.5)
    content = compose(facts)
    assert content.needs_input and content.value == 32
    assert content.note.startswith("The value needs your input (last recorded: 32).")
    assert "No linked issue was done this week." in content.note
