"""The latest analysis a viewer may read: one whose every objective they may see."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.analysis.scope import AUDIENCE_MARK, Scope
from okr_core.models import Analysis, Objective
from okr_core.visibility import Viewer, visible_objectives_clause

CANDIDATES = 20


def covered_objective_ids(analysis: Analysis) -> set[int]:
    """The objectives an analysis was computed from."""
    return set((analysis.sections.get("subjects") or {}).get("objective_ids", []))


def latest_visible_analysis(session: Session, cycle_id: int, scope: Scope,
                            viewer: Viewer) -> Analysis | None:
    """The newest finished analysis of the scope (the viewer's own or a shared one) that covers
    only objectives the viewer may see; None when there is none."""
    keys = {str(scope), f"{scope}{AUDIENCE_MARK}{viewer.user_id}"}
    rows = session.scalars(
        select(Analysis).where(Analysis.cycle_id == cycle_id, Analysis.scope.in_(keys),
                               Analysis.state == "done")
        .order_by(Analysis.created_at.desc(), Analysis.id.desc()).limit(CANDIDATES)).all()
    if not rows:
        return None
    visible = set(session.scalars(select(Objective.id).where(
        Objective.cycle_id == cycle_id, visible_objectives_clause(viewer))).all())
    return next((row for row in rows if covered_objective_ids(row) <= visible), None)
