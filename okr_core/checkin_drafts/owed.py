"""What a person owes this week (My OKRs): check-ins due, drafts waiting for approval, and key
results not updated for 14 days."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from okr_core.checkin_drafts.keeping_team import keeping_team_id, with_keeping_team
from okr_core.checkin_drafts.week import team_week
from okr_core.domain import CycleStatus
from okr_core.models import CheckIn, CheckInDraft, Cycle, KeyResult, Objective, Team

STALE_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class DueCheckIn:
    kr: KeyResult
    due_at: datetime
    due_words: str      # "Friday 14:00 (Europe/Berlin)"


@dataclass
class Owed:
    due: list[DueCheckIn] = field(default_factory=list)
    waiting: list[CheckInDraft] = field(default_factory=list)
    stale: list[tuple[KeyResult, datetime | None]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.due or self.waiting or self.stale)


def what_i_owe(session: Session, user_id: int, now: datetime) -> Owed:
    rows = session.execute(
        with_keeping_team(select(KeyResult, keeping_team_id()))
        .join(Cycle, Cycle.id == Objective.cycle_id)
        .where(KeyResult.owner_id == user_id, Objective.archived.is_(False),
               Cycle.status == CycleStatus.ACTIVE)
        .order_by(KeyResult.id)).all()
    if not rows:
        return Owed()
    ids = [kr.id for kr, _ in rows]
    last = dict(session.execute(select(CheckIn.key_result_id, func.max(CheckIn.created_at))
                                .where(CheckIn.key_result_id.in_(ids)).group_by(CheckIn.key_result_id)).all())
    teams = {t.id: t for t in session.scalars(select(Team))}
    owed = Owed(waiting=list(session.scalars(
        select(CheckInDraft).where(CheckInDraft.owner_id == user_id, CheckInDraft.state == "waiting",
                                   CheckInDraft.key_result_id.in_(ids))
        .order_by(CheckInDraft.week_start.desc(), CheckInDraft.id))))
    waiting = {d.key_result_id for d in owed.waiting}
    for kr, team_id in rows:
        week = team_week(teams.get(team_id), now)
        checked = last.get(kr.id)
        if kr.id not in waiting and (checked is None or checked < week.starts_at):
            owed.due.append(DueCheckIn(kr, week.due_at, week.words))
        updated = max([at for at in (checked, kr.last_progress_change_at) if at is not None], default=None)
        if (updated or kr.created_at) < now - STALE_AFTER:
            owed.stale.append((kr, updated))
    return owed
