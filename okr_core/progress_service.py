"""One key result's figures from its linked work or check-ins, and the roll-up of objectives.

Everything recounts through `okr_core.recount.recount`, which calls these."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core import domain
from okr_core.domain import Measure
from okr_core.models import Cycle, KeyResult, Objective, ProgressSnapshot, WorkItem
from okr_core.recount_facts import NO_WORK, RecountFacts
from okr_core.rules import (
    CheckInView, clamp_progress, effective_status, expected_progress, totals_value,
    objective_progress, pace_status, progress,
)


def to_domain_item(row: WorkItem) -> domain.WorkItem:
    return domain.WorkItem(
        external_id=row.external_id, key=row.key, title=row.title,
        status_category=row.status_category, updated_at=row.tracker_updated_at,
        estimate=row.estimate, parent_ref=row.parent_ref, labels=tuple(row.labels or ()),
        assignee=row.assignee, url=row.url, status_name=row.status_name, deleted=row.deleted)


def refresh_key_result(session: Session, kr: KeyResult, cycle: Cycle, now: datetime,
                       facts: RecountFacts) -> bool:
    """Bring value, progress and status up to date; snapshot and return True when progress moved.

    `facts` (from `load_recount_facts`, covering this KR) holds its linked work summed up, each
    unestimated item already weighing its connection's default estimate.
    """
    if kr.measure != Measure.MANUAL:
        totals = facts.totals.get(kr.id, NO_WORK)
        counts = totals.counts
        kr.items_total, kr.items_done = counts.items_total, counts.items_done
        kr.points_total, kr.points_done = counts.points_total, counts.points_done
        kr.current_value = totals_value(kr.measure, totals)
    new_progress = progress(kr.start_value, kr.target_value, kr.current_value,
                            lower_is_better=kr.measure == Measure.ITEM_COUNT) \
        if kr.target_value is not None else None
    moved = new_progress != kr.progress or kr.last_progress_change_at is None
    if moved:
        kr.progress = new_progress
        kr.last_progress_change_at = now
        session.add(ProgressSnapshot(key_result_id=kr.id, at=now, value=kr.current_value,
                                     progress=new_progress))
    _refresh_status(kr, cycle, now, facts.latest_checkin.get(kr.id))
    return moved


def _refresh_status(kr: KeyResult, cycle: Cycle, now: datetime, view: CheckInView | None) -> None:
    shown = None if kr.progress is None else clamp_progress(kr.progress)
    pace = pace_status(shown, expected_progress(cycle.start_date, cycle.end_date, now))
    decision = effective_status(pace, kr.last_progress_change_at, view)
    kr.status = decision.status
    if decision.confidence is not None:
        kr.confidence = decision.confidence


def refresh_objective_chain(session: Session, objective_id: int | None) -> None:
    """Recompute an objective's progress and that of every objective it is aligned under."""
    seen: set[int] = set()
    while objective_id is not None and objective_id not in seen:
        seen.add(objective_id)
        objective = session.get(Objective, objective_id)
        if objective is None:
            return
        weighted = session.execute(select(KeyResult.weight, KeyResult.progress)
                                   .where(KeyResult.objective_id == objective.id)).all()
        children = session.scalars(select(Objective.progress).where(
            Objective.parent_id == objective.id, Objective.archived.is_(False))).all()
        objective.progress = objective_progress([tuple(row) for row in weighted], list(children))
        objective_id = objective.parent_id
