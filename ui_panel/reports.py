"""The cross-team progress summary: one row per team, computed from the visible tree."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from okr_core.domain import KRStatus
from okr_core.models import Cycle, KeyResult, Objective
from okr_core.rules import clamp_progress, expected_progress, status_spread, team_status


@dataclass
class TeamSummary:
    team_id: int | None
    team_name: str
    objectives: int = 0
    key_results: int = 0
    progress: float | None = None
    status: KRStatus = KRStatus.NOT_STARTED
    by_status: dict[str, int] = field(default_factory=lambda: status_spread([]))


def summarise_by_team(objectives: list[Objective], krs: list[KeyResult], teams: dict[int, str],
                      cycle: Cycle, now: datetime) -> list[TeamSummary]:
    """Per team, by name: counts, mean objective progress, the rolled-up status and the spread.

    The colour is the team's rolled-up objective status (okr_core.rules.team_status), not the
    worst of its KRs: one lagging KR does not paint a team at half way red.
    """
    rows: dict[int | None, TeamSummary] = {}
    team_of: dict[int, int | None] = {}
    for objective in objectives:
        row = rows.setdefault(objective.team_id, TeamSummary(
            objective.team_id, teams.get(objective.team_id, "No team")))
        row.objectives += 1
        team_of[objective.id] = objective.team_id
    krs_of: dict[int, list[KeyResult]] = {}
    for kr in krs:
        krs_of.setdefault(kr.objective_id, []).append(kr)
    expected = expected_progress(cycle.start_date, cycle.end_date, now)
    for team_id, row in rows.items():
        mine = [o for o in objectives if o.team_id == team_id]
        _fill_row(row, mine, krs_of, expected)
    return sorted(rows.values(), key=lambda r: r.team_name.lower())


def _fill_row(row: TeamSummary, objectives: list[Objective],
              krs_of: dict[int, list[KeyResult]], expected: float) -> None:
    """Progress, status and spread of one team from its objectives and their KRs."""
    values = [clamp_progress(o.progress) for o in objectives if o.progress is not None]
    row.progress = sum(values) / len(values) if values else None
    team_krs = [kr for o in objectives for kr in krs_of.get(o.id, [])]
    row.key_results = len(team_krs)
    row.by_status = status_spread(kr.status for kr in team_krs)
    row.status = team_status(
        [[(kr.weight, _judged_progress(kr)) for kr in krs_of.get(o.id, [])] for o in objectives],
        expected)


def _judged_progress(kr: KeyResult) -> float | None:
    """The KR's progress, or None while it is not started (left out of the team's status)."""
    return None if kr.status == KRStatus.NOT_STARTED else kr.progress
