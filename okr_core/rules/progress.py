"""Progress of a key result and the progress the calendar expects of it."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone


def progress(
    start: float, target: float, current: float | None, *, lower_is_better: bool = False
) -> float | None:
    """(current - start) / (target - start), unclamped; None while there is no current value."""
    if current is None:
        return None
    if target == start:
        return _zero_range_progress(target, current, lower_is_better)
    # The same formula serves KRs that go down: both differences are negative when on the way.
    return (current - start) / (target - start)


def _zero_range_progress(target: float, current: float, lower_is_better: bool) -> float:
    """All or nothing when start == target ("keep uptime at 99.9"): reached counts as 1.0."""
    # With no range there is no direction to read from start and target, so the caller says
    # which way is better (item_count KRs go down); the default is "higher is better".
    reached = current <= target if lower_is_better else current >= target
    return 1.0 if reached else 0.0


def clamp_progress(value: float | None) -> float:
    """Progress for display: clamped to [0, 1], a KR with no value yet shows 0."""
    if value is None:
        return 0.0
    return min(1.0, max(0.0, value))


def expected_progress(cycle_start: date, cycle_end: date, now: datetime | date) -> float:
    """Share of the cycle elapsed at `now`, clamped to [0, 1]."""
    if cycle_end < cycle_start:
        raise ValueError(f"cycle ends ({cycle_end}) before it starts ({cycle_start})")
    # The end date is inclusive ("Q4" ends on Dec 31), so the cycle runs to the midnight after it.
    begins = datetime.combine(cycle_start, time.min)
    ends = datetime.combine(cycle_end + timedelta(days=1), time.min)
    elapsed = (_as_naive_utc(now) - begins) / (ends - begins)
    return min(1.0, max(0.0, elapsed))


def _as_naive_utc(moment: datetime | date) -> datetime:
    """A date means its midnight; an aware datetime is read in UTC, the cycle dates' zone."""
    if not isinstance(moment, datetime):
        return datetime.combine(moment, time.min)
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
