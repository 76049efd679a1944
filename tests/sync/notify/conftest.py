"""Notification fixtures: a real SMTP server, a small cycle with its stored analysis, the
admins' email settings pointing at the server, and teams whose check-ins are due from Monday
00:00 UTC (so reminders are due whatever day the test runs)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from config.notification_settings import (
    NotificationDefaults, SmtpSettings, save_defaults, save_smtp_settings,
)
from okr_core.store import session_scope
from sync.analysis.jobs import queue_analysis, run_analysis
from tests.sync.analysis.analysis_store import Arranged, arrange_cycle
from tests.sync.notify.smtp_inbox import SmtpServer

MAIL_FROM = "okrs@northwind.example"


@dataclass
class World:
    arranged: Arranged
    emails: dict[str, str]     # user key -> address


@pytest.fixture
def smtp_server():
    with SmtpServer() as server:
        yield server


def set_smtp(app, port: int, **overrides) -> None:
    values = dict(host="127.0.0.1", port=port, tls="none", username="", password="",
                  mail_from=MAIL_FROM)
    values.update(overrides)
    password = values.pop("password")
    with app.app_context(), session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        save_smtp_settings(session, None, app.extensions["okrsync.secret_box"],
                           SmtpSettings(**values), password or None)


def set_defaults(app, **overrides) -> None:
    values = dict(email=True, slack=False, reminders=True, digests=True, skip_days=1)
    values.update(overrides)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        save_defaults(session, None, NotificationDefaults(**values))


def set_check_in(app, team_id: int | None = None, weekday: int = 0, at: str = "00:00",
                 zone: str = "UTC") -> None:
    """One team's check-in day, time and zone (every team's without `team_id`)."""
    from sqlalchemy import update

    from okr_core.models import Team

    query = update(Team).values(check_in_weekday=weekday, check_in_time=at, time_zone=zone)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        session.execute(query if team_id is None else query.where(Team.id == team_id))


def run_company_analysis(app, cycle_id: int) -> int:
    with app.app_context():
        with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
            analysis_id = queue_analysis(session, cycle_id, "company").id
        run_analysis(analysis_id)
    return analysis_id


def arrange_world(app, actors) -> World:
    from okr_core.models import User

    arranged = arrange_cycle(app, actors)
    set_check_in(app)
    run_company_analysis(app, arranged.cycle_id)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        emails = {key: session.get(User, user_id).email for key, (user_id, _) in arranged.users.items()}
    return World(arranged, emails)


@pytest.fixture
def world(app, actors, smtp_server) -> World:
    arranged = arrange_world(app, actors)
    set_smtp(app, smtp_server.port)
    set_defaults(app)
    return arranged
