"""The guide's "3-5 objectives per level", said in words while an objective is written."""
from __future__ import annotations

from sqlalchemy import func, select

from okr_core.domain import Level
from okr_core.models import Objective, Team
from okr_core.rules.practices import OBJECTIVES_PER_LEVEL


def objective_count_warnings(session, cycle_id: int, level: Level, team_value: str | None,
                             editing_id: int | None) -> list[str]:
    """A warning when this objective would make more than 5 at its level for its team."""
    team_id = int(team_value) if team_value and team_value.isdigit() else None
    others = session.scalar(select(func.count()).select_from(Objective).where(
        Objective.cycle_id == cycle_id, Objective.level == level,
        Objective.team_id.is_(None) if team_id is None else Objective.team_id == team_id,
        Objective.archived.is_(False), Objective.id != (editing_id or 0)))
    low, high = OBJECTIVES_PER_LEVEL
    if others + 1 <= high:
        return []
    team = session.get(Team, team_id) if team_id else None
    owner = team.name if team else "The organisation"
    return [f"{owner} would have {others + 1} {level.value}-level objectives in this cycle; "
            f"the guide suggests {low} to {high} per level, so focus on the few that matter."]
