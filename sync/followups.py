"""What follows a progress change, once its transaction commits: write-backs and analysis."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.models import KeyResult, Objective
from sync.mirror.writeback import queue_writebacks, with_write_targets


@dataclass
class Followups:
    """Computed inside the transaction, queued after it commits (never for uncommitted state)."""

    writeback_ids: list[int] = field(default_factory=list)
    cycle_ids: list[int] = field(default_factory=list)

    def queue(self) -> None:
        from sync.analysis.jobs import request_analysis_refresh

        queue_writebacks(self.writeback_ids)
        for cycle_id in self.cycle_ids:
            request_analysis_refresh(cycle_id)


def followups_for(session: Session, moved: set[int]) -> Followups:
    """Write-backs for moved KRs that have somewhere to write; a refresh of their cycles."""
    if not moved:
        return Followups()
    cycles = session.scalars(select(Objective.cycle_id).join(
        KeyResult, KeyResult.objective_id == Objective.id)
        .where(KeyResult.id.in_(sorted(moved))).distinct()).all()
    return Followups(with_write_targets(session, moved), sorted(cycles))
