"""Which team's week a key result keeps: its objective's team, else its owner's team.

The one home of that choice: drafting, What I owe and the reminders all use it, so a KR of an
objective without a team is drafted, shown as due and reminded on the same day.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from okr_core.models import KeyResult, Objective, Team, User

_Owner = aliased(User)


def keeping_team_id():
    """The SQL expression of the keeping team's id; the statement must join `with_keeping_team`."""
    return func.coalesce(Objective.team_id, _Owner.team_id)


def with_keeping_team(statement):
    """Join what `keeping_team_id` reads (the objective and the KR's owner) to a KeyResult select."""
    return (statement.join(Objective, Objective.id == KeyResult.objective_id)
            .outerjoin(_Owner, _Owner.id == KeyResult.owner_id))


def keeping_teams(session: Session, kr_ids: list[int]) -> dict[int, Team | None]:
    """Each key result's keeping team (None: no team, so the default schedule)."""
    if not kr_ids:
        return {}
    pairs = session.execute(with_keeping_team(select(KeyResult.id, keeping_team_id()))
                            .where(KeyResult.id.in_(kr_ids))).all()
    teams = {t.id: t for t in session.scalars(
        select(Team).where(Team.id.in_({team_id for _, team_id in pairs if team_id is not None})))}
    return {kr_id: teams.get(team_id) for kr_id, team_id in pairs}
