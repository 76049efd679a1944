"""The cross-team progress summary: one row per team, computed from the visible tree."""
from __future__ import annotations

from dataclasses import dataclass, field

from okr_core.domain import KRStatus
from okr_core.models import KeyResult, Objective
from okr_core.rules import clamp_progress


@dataclass
class TeamSummary:
    team_id: int | None
    team_name: str
    objectives: int = 0
    key_results: int = 0
    progress: float | None = None
    by_status: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in KRStatus})

    @property
    def worst_status(self) -> KRStatus | None:
        """The status that needs attention first: any off track, else any at risk, else on track."""
        for status in (KRStatus.OFF_TRACK, KRStatus.AT_RISK, KRStatus.ON_TRACK):
            if self.by_status[status.value]:
                return status
        return None


def summarise_by_team(objectives: list[Objective], krs: list[KeyResult],
                      teams: dict[int, str]) -> list[TeamSummary]:
    """Objective count, KR count, mean objective progress and KR statuses per team, by name."""
    rows: dict[int | None, TeamSummary] = {}
    team_of = {}
    progress_values: dict[int | None, list[float]] = {}
    for objective in objectives:
        row = rows.setdefault(objective.team_id, TeamSummary(
            objective.team_id, teams.get(objective.team_id, "No team")))
        row.objectives += 1
        team_of[objective.id] = objective.team_id
        if objective.progress is not None:
            progress_values.setdefault(objective.team_id, []).append(
                clamp_progress(objective.progress))
    for kr in krs:
        row = rows[team_of[kr.objective_id]]
        row.key_results += 1
        row.by_status[KRStatus(kr.status).value] += 1
    for team_id, row in rows.items():
        values = progress_values.get(team_id)
        row.progress = sum(values) / len(values) if values else None
    return sorted(rows.values(), key=lambda r: r.team_name.lower())
