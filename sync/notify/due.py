"""What is due now: a KR owner's reminder once the check-in time of one of their KRs' teams has
come (the team's day, time and zone), digests from Monday.

Periods are ISO weeks (a reminder's is the week as the team that made it due sees it), so a row
per (person, kind, week, channel) settles whether it went out; a person's reminders never go back
to an earlier week, so a zone seeing another week never brings a second one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.notification_settings import NotificationDefaults, SlackSettings, SmtpSettings
from okr_core.checkin_drafts.keeping_team import keeping_team_id, with_keeping_team
from okr_core.checkin_drafts.week import CheckInWeek, team_week
from okr_core.domain import CycleStatus, Role, TeamKind
from okr_core.models import (
    Analysis, CheckIn, Cycle, KeyResult, NotificationSend, Objective, Team, User,
)
from sync.notify.preferences import choices_of

REMINDER = "reminder"
LEADERSHIP_DIGEST = "leadership_digest"
TEAM_DIGEST = "team_digest"
KINDS = (REMINDER, LEADERSHIP_DIGEST, TEAM_DIGEST)
CHANNELS = ("email", "slack")
DIGEST_FALLBACK_HOUR = 12   # Monday noon UTC: a digest waits this long for the week's analysis


@dataclass(frozen=True)
class ToRemind:
    """A key result whose team's check-in time has come this week, not checked in lately."""

    kr: KeyResult
    last_check_in: datetime | None
    week: CheckInWeek


@dataclass(frozen=True)
class Due:
    user_id: int
    kind: str
    period: str
    channel: str


def iso_week(moment: datetime | date) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def active_cycle_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Cycle.id).where(Cycle.status == CycleStatus.ACTIVE)
                                .order_by(Cycle.id)))


def owned_key_results(session: Session, user_id: int) -> list[tuple[KeyResult, int | None]]:
    """The person's key results in active cycles, each with the team whose week it keeps: the
    objective's team, else the owner's."""
    return list(session.execute(
        with_keeping_team(select(KeyResult, keeping_team_id()))
        .join(Cycle, Cycle.id == Objective.cycle_id)
        .where(KeyResult.owner_id == user_id, Cycle.status == CycleStatus.ACTIVE,
               Objective.archived.is_(False))
        .order_by(Objective.id, KeyResult.id)).all())


def last_check_ins(session: Session, kr_ids: list[int]) -> dict[int, datetime]:
    if not kr_ids:
        return {}
    return dict(session.execute(select(CheckIn.key_result_id, func.max(CheckIn.created_at))
                                .where(CheckIn.key_result_id.in_(kr_ids))
                                .group_by(CheckIn.key_result_id)).all())


def krs_to_remind(session: Session, user_id: int, now: datetime, skip_days: int) -> list[ToRemind]:
    """The person's KRs whose team's check-in time has come this week (Friday 14:00 UTC without a
    team) and that were not checked in within the last `skip_days` days."""
    owned = owned_key_results(session, user_id)
    last = last_check_ins(session, [kr.id for kr, _ in owned])
    teams = {t.id: t for t in session.scalars(select(Team).where(
        Team.id.in_([team_id for _, team_id in owned if team_id is not None])))}
    since = now - timedelta(days=skip_days)
    weeks = [(kr, team_week(teams.get(team_id), now)) for kr, team_id in owned]
    return [ToRemind(kr, last.get(kr.id), week) for kr, week in weeks
            if week.is_due(now) and (last.get(kr.id) is None or last[kr.id] < since)]


def reminder_period(rows: list[ToRemind]) -> str:
    """The week a reminder belongs to: the latest team week among its KRs."""
    return max(iso_week(row.week.start) for row in rows)


def leadership(session: Session) -> list[User]:
    """Admins, and leads of the company or a department."""
    return list(session.scalars(
        select(User).outerjoin(Team, Team.id == User.team_id)
        .where(User.active.is_(True), (User.role == Role.ADMIN) | (
            (User.role == Role.LEAD) & Team.kind.in_([TeamKind.COMPANY, TeamKind.DEPARTMENT])))
        .order_by(User.id)))


def team_leads(session: Session) -> list[User]:
    return list(session.scalars(
        select(User).join(Team, Team.id == User.team_id)
        .where(User.active.is_(True), User.role == Role.LEAD, Team.kind == TeamKind.TEAM)
        .order_by(User.id)))


def latest_company_analysis(session: Session, cycle_id: int) -> Analysis | None:
    return session.scalars(select(Analysis).where(
        Analysis.cycle_id == cycle_id, Analysis.scope == "company", Analysis.state == "done")
        .order_by(Analysis.created_at.desc(), Analysis.id.desc()).limit(1)).first()


def digests_ready(session: Session, now: datetime) -> bool:
    """A digest has something to say: an active cycle with a finished analysis, this week's
    once it exists (or from Monday noon on, the latest there is)."""
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    for cycle_id in active_cycle_ids(session):
        latest = latest_company_analysis(session, cycle_id)
        if latest and (latest.created_at >= monday
                       or now >= monday + timedelta(hours=DIGEST_FALLBACK_HOUR)):
            return True
    return False


def _channels(session, user: User, kind: str, defaults, smtp: SmtpSettings,
              slack: SlackSettings) -> list[str]:
    choices = choices_of(session, user.id, defaults)
    usable = {"email": smtp.configured, "slack": slack.destination(user.team_id) is not None}
    return [c for c in CHANNELS if usable[c] and choices.wants(kind, c)]


def due_notifications(session: Session, now: datetime, defaults: NotificationDefaults,
                      smtp: SmtpSettings, slack: SlackSettings) -> list[Due]:
    """Every message that should exist by now and has no row yet: a reminder for each owner whose
    due team week is later than any they were reminded for, a digest for each reader with none
    this (UTC) week."""
    period, due = iso_week(now), []
    settled = set(session.execute(select(NotificationSend.user_id, NotificationSend.kind)
                                  .where(NotificationSend.period == period)).all())
    reminded = dict(session.execute(select(NotificationSend.user_id, func.max(NotificationSend.period))
                                    .where(NotificationSend.kind == REMINDER)
                                    .group_by(NotificationSend.user_id)).all())
    owners = session.scalars(select(User).where(User.active.is_(True), User.id.in_(
        select(KeyResult.owner_id).join(Objective, Objective.id == KeyResult.objective_id)
        .join(Cycle, Cycle.id == Objective.cycle_id)
        .where(Cycle.status == CycleStatus.ACTIVE, Objective.archived.is_(False))))
        .order_by(User.id))
    for user in owners:
        rows = krs_to_remind(session, user.id, now, defaults.skip_days)
        week = reminder_period(rows) if rows else None
        if week is not None and week > reminded.get(user.id, ""):
            due += [Due(user.id, REMINDER, week, c)
                    for c in _channels(session, user, REMINDER, defaults, smtp, slack)]
    if digests_ready(session, now):
        for kind, people in ((LEADERSHIP_DIGEST, leadership(session)), (TEAM_DIGEST, team_leads(session))):
            for user in people:
                if (user.id, kind) in settled:
                    continue
                due += [Due(user.id, kind, period, c)
                        for c in _channels(session, user, kind, defaults, smtp, slack)]
    return due
