"""The check-in week of a team: its Monday in the team's zone, and when its check-ins are due.

The one home of a team's schedule: drafting, What I owe and the reminders all ask `team_week`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger("okrsync.checkins.week")
DEFAULT_WEEKDAY = 4          # Friday
DEFAULT_TIME = "14:00"
DEFAULT_ZONE = "UTC"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class BadSchedule(ValueError):
    """A team's check-in day, time or zone that cannot be read."""


@dataclass(frozen=True)
class CheckInWeek:
    """One team week: its Monday (the draft's week key), when it began and when its check-ins are
    due (both in UTC)."""

    start: date
    starts_at: datetime
    due_at: datetime
    words: str = ""          # "Friday 14:00 (Europe/Berlin)"

    def is_due(self, now: datetime) -> bool:
        return now >= self.due_at


def parse_time(raw: str) -> time:
    """ "14:00" -> 14:00; BadSchedule for anything else."""
    try:
        hours, minutes = (int(part) for part in raw.strip().split(":"))
        return time(hours, minutes)
    except (ValueError, AttributeError):
        raise BadSchedule(f"{raw!r} is not a time of day like 14:00") from None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, AttributeError):
        raise BadSchedule(f"{name!r} is not a time zone name like Europe/Berlin") from None


def check_in_week(weekday: int, at: str, zone_name: str, now: datetime) -> CheckInWeek:
    """The week `now` falls in, as the team sees it (weeks start on Monday in its zone)."""
    if not 0 <= weekday <= 6:
        raise BadSchedule(f"{weekday} is not a weekday (0 Monday to 6 Sunday)")
    local_zone = zone(zone_name)
    local = now.astimezone(local_zone)
    monday = local.date() - timedelta(days=local.weekday())
    due_local = datetime.combine(monday + timedelta(days=weekday), parse_time(at), tzinfo=local_zone)
    begun = datetime.combine(monday, time.min, tzinfo=local_zone)
    return CheckInWeek(monday, begun.astimezone(timezone.utc), due_local.astimezone(timezone.utc),
                       f"{WEEKDAYS[weekday]} {at.strip()} ({zone_name.strip()})")


class Schedule(Protocol):
    """What a team row says about its check-ins (okr_core.models.Team)."""

    id: int
    check_in_weekday: int
    check_in_time: str
    time_zone: str


def team_week(team: Schedule | None, now: datetime) -> CheckInWeek:
    """The team's week; the default Friday 14:00 UTC without a team or with a setting that cannot
    be read (logged)."""
    if team is not None:
        try:
            return check_in_week(team.check_in_weekday, team.check_in_time, team.time_zone, now)
        except BadSchedule as exc:
            log.warning("checkins.bad-schedule", extra={"team_id": team.id, "error": str(exc)})
    return check_in_week(DEFAULT_WEEKDAY, DEFAULT_TIME, DEFAULT_ZONE, now)
