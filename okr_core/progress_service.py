"""Recompute a key result from its linked work or check-ins, and roll progress up the tree."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core import domain
from okr_core.domain import CycleStatus, Measure
from okr_core.models import Cycle, KeyResult, Objective, ProgressSnapshot, WorkItem
from okr_core.recount_facts import RecountFacts, load_recount_facts
from okr_core.rules import (
    CheckInView, clamp_progress, effective_status, expected_progress, item_counts, measure_value,
    objective_progress, pace_status, progress,
)


def to_domain_item(row: WorkItem) -> domain.WorkItem:
    return domain.WorkItem(
        external_id=row.external_id, key=row.key, title=row.title,
        status_category=row.status_category, updated_at=row.tracker_updated_at,
        estimate=row.estimate, parent_ref=row.parent_ref, labels=tuple(row.labels or ()),
        assignee=row.assignee, url=row.url, status_name=row.status_name, deleted=row.deleted)


def refresh_key_result(session: Session, kr: KeyResult, cycle: Cycle, now: datetime,
                       default_estimate: float = 1.0, facts: RecountFacts | None = None) -> bool:
    """Bring value, progress and status up to date; snapshot and return True when progress moved.

    `facts` (from `load_recount_facts`, covering this KR) saves its queries when many KRs are
    recounted together.
    """
    facts = facts or load_recount_facts(session, [kr.id])
    if kr.measure != Measure.MANUAL:
        items = facts.items.get(kr.id, [])
        counts = item_counts(items, default_estimate=default_estimate)
        kr.items_total, kr.items_done = counts.items_total, counts.items_done
        kr.points_total, kr.points_done = counts.points_total, counts.points_done
        kr.current_value = measure_value(kr.measure, items, default_estimate=default_estimate)
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



READ_ONLY_CYCLES = (CycleStatus.CLOSED, CycleStatus.ARCHIVED)
RECOUNT_CHUNK = 50   # KRs whose linked items are loaded together


def refresh_key_results(session: Session, kr_ids, now: datetime,
                        default_estimate: float = 1.0) -> list[int]:
    """Recompute the KRs (rows locked in id order) and their objective chains; ids refreshed."""
    ids = sorted(set(kr_ids))
    if not ids:
        return []
    # Locking first means the counts below see every item change committed before ours, and
    # concurrent jobs (webhook deliveries, reconcile passes) cannot lose each other's updates.
    krs = session.scalars(select(KeyResult).where(KeyResult.id.in_(ids)).order_by(KeyResult.id)
                          .with_for_update().execution_options(populate_existing=True)).all()
    refreshed, objective_ids = [], set()
    # A chunk of KRs' linked items at a time: memory follows the chunk, not every item counted.
    for start in range(0, len(krs), RECOUNT_CHUNK):
        chunk = krs[start:start + RECOUNT_CHUNK]
        facts = load_recount_facts(session, [kr.id for kr in chunk], [kr.objective_id for kr in chunk])
        for kr in chunk:
            cycle = facts.cycles[kr.objective_id]
            if cycle.status in READ_ONLY_CYCLES:
                continue  # closed and archived cycles are read-only, even for sync
            refresh_key_result(session, kr, cycle, now, default_estimate, facts)
            refreshed.append(kr.id)
            objective_ids.add(kr.objective_id)
    _lock_objective_chains(session, objective_ids)
    for objective_id in sorted(objective_ids):
        refresh_objective_chain(session, objective_id)
    return refreshed


def _lock_objective_chains(session: Session, objective_ids: set[int]) -> None:
    """Lock every objective the roll-up writes, in id order, so concurrent roll-ups serialise."""
    chain, frontier = set(), set(objective_ids)
    while frontier:
        chain |= frontier
        parents = session.scalars(select(Objective.parent_id).where(
            Objective.id.in_(frontier), Objective.parent_id.is_not(None))).all()
        frontier = set(parents) - chain
    if chain:
        session.scalars(select(Objective).where(Objective.id.in_(sorted(chain)))
                        .order_by(Objective.id).with_for_update()
                        .execution_options(populate_existing=True)).all()
