"""Reminders follow each team's check-in day, time and zone: an owner is reminded once the check-in
time of their key result's team has come (the objective's team, else the owner's, else Friday
14:00 UTC), once per week as that team counts weeks."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from okr_core.models import NotificationSend, Objective, User
from okr_core.store import session_scope
from sync.notify.due import iso_week
from sync.notify.jobs import queue_due_notifications
from tests.sync.notify.conftest import set_check_in, set_defaults

UTC = timezone.utc


def next_monday() -> datetime:
    """00:00 UTC of next week's Monday: after the arranged check-ins (3 days before today)."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 - today.weekday())


def tick(app, now: datetime) -> set[tuple[int, str]]:
    """One scheduler pass at `now`; every (person, week) holding a reminder so far."""
    with app.app_context():
        queue_due_notifications(now)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        return set(session.execute(select(NotificationSend.user_id, NotificationSend.period)
                                   .where(NotificationSend.kind == "reminder")).all())


def people(world) -> tuple[int, int]:
    return world.arranged.users["lead"][0], world.arranged.users["seller"][0]


def test_each_owner_is_reminded_when_their_teams_day_and_time_come_in_its_zone(app, world):
    set_defaults(app, digests=False)
    teams = world.arranged.team_ids
    set_check_in(app, teams["platform"], weekday=2, at="10:00", zone="Asia/Tokyo")        # Wed 01:00 UTC
    set_check_in(app, teams["sales"], weekday=3, at="09:00", zone="America/Phoenix")      # Thu 16:00 UTC
    lead, seller = people(world)
    monday = next_monday()
    week = iso_week(monday)

    assert tick(app, monday + timedelta(days=2, minutes=59)) == set()
    assert tick(app, monday + timedelta(days=2, hours=12)) == {(lead, week)}
    assert tick(app, monday + timedelta(days=3, hours=15, minutes=59)) == {(lead, week)}
    assert tick(app, monday + timedelta(days=3, hours=16)) == {(lead, week), (seller, week)}
    assert tick(app, monday + timedelta(days=6, hours=23)) == {(lead, week), (seller, week)}
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        rows = session.scalars(select(NotificationSend).where(NotificationSend.kind == "reminder")).all()
        assert sorted((r.user_id, r.channel) for r in rows) == [(lead, "email"), (seller, "email")]


def test_a_team_east_of_utc_is_reminded_before_utcs_friday_afternoon(app, world):
    set_defaults(app, digests=False)
    teams = world.arranged.team_ids
    set_check_in(app, teams["platform"], weekday=4, at="14:00", zone="Asia/Tokyo")        # Fri 05:00 UTC
    set_check_in(app, teams["sales"], weekday=4, at="14:00", zone="UTC")
    lead, seller = people(world)
    friday = next_monday() + timedelta(days=4)
    week = iso_week(friday)

    assert tick(app, friday + timedelta(hours=4, minutes=59)) == set()
    assert tick(app, friday + timedelta(hours=5)) == {(lead, week)}
    assert tick(app, friday + timedelta(hours=13, minutes=59)) == {(lead, week)}
    assert tick(app, friday + timedelta(hours=14)) == {(lead, week), (seller, week)}


def test_the_week_is_the_teams_own_so_a_zone_a_day_ahead_gets_one_reminder_a_week(app, world):
    """Kiritimati (UTC+14) starts its Monday at 10:00 UTC on Sunday: that reminder belongs to the
    team's new week, and the UTC Monday after it brings no second one."""
    set_defaults(app, digests=False)
    set_check_in(app, world.arranged.team_ids["platform"], weekday=0, at="00:00", zone="Pacific/Kiritimati")
    lead, _ = people(world)

    def lead_weeks(now: datetime) -> set[str]:
        return {period for user, period in tick(app, now) if user == lead}

    monday = next_monday()
    sunday_before = monday - timedelta(hours=14)
    before, week, following = (iso_week(monday + timedelta(days=d)) for d in (-7, 0, 7))

    assert iso_week(sunday_before) == before
    assert lead_weeks(sunday_before - timedelta(minutes=1)) == {before}
    assert lead_weeks(sunday_before) == {before, week}
    for later in (monday, monday + timedelta(days=3), monday + timedelta(days=6, hours=9, minutes=59)):
        assert lead_weeks(later) == {before, week}
    assert lead_weeks(monday + timedelta(days=6, hours=10)) == {before, week, following}


def test_without_an_objective_team_the_owners_team_decides_then_friday_at_two_utc(app, world):
    set_defaults(app, digests=False)
    objectives = world.arranged.objective_ids
    set_check_in(app, world.arranged.team_ids["sales"], weekday=1, at="08:00", zone="Asia/Kolkata")         # Tue 02:30 UTC
    _, seller = people(world)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        session.execute(update(Objective).where(Objective.id == objectives["private"]).values(team_id=None))
    monday = next_monday()
    assert (seller, iso_week(monday)) not in tick(app, monday + timedelta(days=1, hours=2, minutes=29))
    assert (seller, iso_week(monday)) in tick(app, monday + timedelta(days=1, hours=2, minutes=30))

    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        session.execute(update(User).where(User.id == seller).values(team_id=None))
    following = monday + timedelta(days=7)
    assert (seller, iso_week(following)) not in tick(app, following + timedelta(days=4, hours=13, minutes=59))
    assert (seller, iso_week(following)) in tick(app, following + timedelta(days=4, hours=14))


def test_the_reminder_says_the_teams_day_time_and_zone(app, world, smtp_server):
    set_defaults(app, digests=False)
    set_check_in(app, world.arranged.team_ids["sales"], weekday=0, at="00:00", zone="Asia/Tokyo")
    with app.app_context():
        queue_due_notifications()
    app.extensions["okrsync.queue"].drain(include_delayed=False)
    [reminder] = smtp_server.inbox.to(world.emails["seller"])
    assert reminder["Subject"] == "Check-in due Monday 00:00 (Asia/Tokyo): 1 key result"
    assert "your weekly check-in is due Monday 00:00 (Asia/Tokyo)." in reminder.get_body(("plain",)).get_content()
