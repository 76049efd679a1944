"""Progress, display clamping and the progress the calendar expects."""
from datetime import date, datetime, timedelta, timezone

import pytest

from okr_core.rules import clamp_progress, expected_progress, progress


@pytest.mark.parametrize("start, target, current, expected", [
    pytest.param(0, 100, 50, 0.5, id="halfway-up"),
    pytest.param(85, 95, 90, 0.5, id="from-nonzero-start"),
    pytest.param(10, 2, 6, 0.5, id="reduce-halfway"),
    pytest.param(10, 2, 2, 1.0, id="reduce-reached"),
    pytest.param(10, 2, 12, -0.25, id="reduce-got-worse-stays-negative"),
    pytest.param(0, 100, 150, 1.5, id="over-achievement-unclamped"),
    pytest.param(10, 2, 0, 1.25, id="reduce-over-achieved-unclamped"),
    pytest.param(50, 100, 40, -0.2, id="below-start-unclamped"),
    pytest.param(0, 10, None, None, id="no-current-value"),
])
def test_progress_is_share_of_the_way_from_start_to_target(start, target, current, expected):
    assert progress(start, target, current) == pytest.approx(expected)


@pytest.mark.parametrize("target, current, lower_is_better, expected", [
    pytest.param(99.9, 99.9, False, 1.0, id="higher-better-exactly-reached"),
    pytest.param(99.9, 99.95, False, 1.0, id="higher-better-passed"),
    pytest.param(99.9, 99.0, False, 0.0, id="higher-better-missed"),
    pytest.param(0, 0, True, 1.0, id="lower-better-exactly-reached"),
    pytest.param(0, 2, True, 0.0, id="lower-better-missed"),
    pytest.param(5, 3, True, 1.0, id="lower-better-passed"),
])
def test_zero_range_is_all_or_nothing_in_the_given_direction(target, current, lower_is_better,
                                                             expected):
    assert progress(target, target, current, lower_is_better=lower_is_better) == expected


def test_zero_range_without_current_value_is_none():
    assert progress(5, 5, None) is None


@pytest.mark.parametrize("value, expected", [
    pytest.param(None, 0.0, id="none-shows-empty"),
    pytest.param(-0.3, 0.0, id="negative"),
    pytest.param(0.0, 0.0, id="zero"),
    pytest.param(0.42, 0.42, id="inside"),
    pytest.param(1.0, 1.0, id="one"),
    pytest.param(1.7, 1.0, id="over-achievement"),
])
def test_clamp_progress_for_display(value, expected):
    assert clamp_progress(value) == expected


Q4_START, Q4_END = date(2026, 10, 1), date(2026, 12, 31)  # 92 days, end date inclusive


@pytest.mark.parametrize("now, expected", [
    pytest.param(date(2026, 9, 1), 0.0, id="before-cycle"),
    pytest.param(date(2026, 10, 1), 0.0, id="first-day-midnight"),
    pytest.param(datetime(2026, 10, 1, 12), 0.5 / 92, id="first-day-noon"),
    pytest.param(date(2026, 11, 16), 46 / 92, id="halfway"),
    pytest.param(date(2026, 12, 31), 91 / 92, id="last-day-midnight"),
    pytest.param(date(2027, 1, 1), 1.0, id="day-after-end"),
    pytest.param(date(2027, 3, 1), 1.0, id="long-after"),
    pytest.param(datetime(2026, 11, 16, 1, tzinfo=timezone(timedelta(hours=1))), 46 / 92,
                 id="aware-datetime-read-in-utc"),
])
def test_expected_progress_is_share_of_cycle_elapsed(now, expected):
    assert expected_progress(Q4_START, Q4_END, now) == pytest.approx(expected)


def test_one_day_cycle_is_half_elapsed_at_noon():
    day = date(2026, 11, 5)
    assert expected_progress(day, day, datetime(2026, 11, 5, 12)) == pytest.approx(0.5)


def test_cycle_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before it starts"):
        expected_progress(Q4_END, Q4_START, Q4_START)
