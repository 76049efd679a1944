"""The one recount: key results from their linked work or check-ins, then their objectives."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.domain import CycleStatus
from okr_core.models import KeyResult, Objective
from okr_core.progress_service import refresh_key_result, refresh_objective_chain
from okr_core.recount_facts import load_recount_facts
from okr_core.store import in_filters


READ_ONLY_CYCLES = (CycleStatus.CLOSED, CycleStatus.ARCHIVED)
RECOUNT_CHUNK = 50   # KRs whose linked work is summed in one statement


def recount(session: Session, kr_ids: Iterable[int], now: datetime, roll_up: bool = True) -> set[int]:
    """Recount key results and roll their objectives up; the ids whose progress, status or value
    changed. The only recount: API edits, check-ins, pages and sync all come here.

    Unestimated items weigh their connection's `default_estimate` (ConnectionSettings). Key
    results of closed and archived cycles are left as they are. `roll_up` False leaves the
    objectives to `roll_up_objectives` (a reconcile pass rolls up once, at its end, the
    objectives of the KRs whose progress moved while it read).
    """
    ids = sorted(set(kr_ids))
    if not ids:
        return set()
    session.flush()
    before = _standing(session, ids)
    objective_ids = _refresh_locked(session, ids, now)
    if roll_up:
        _roll_up(session, objective_ids)
    session.flush()
    after = _standing(session, ids)
    return {kr_id for kr_id, standing in after.items() if before.get(kr_id) != standing}


def roll_up_objectives(session: Session, kr_ids: Iterable[int]) -> None:
    """Recompute the objectives of these key results, and those they are aligned under."""
    ids = sorted(set(kr_ids))
    objective_ids = set()
    for matching in in_filters(session, KeyResult.id, ids):
        objective_ids.update(session.scalars(select(KeyResult.objective_id).where(matching)))
    _roll_up(session, objective_ids)
    session.flush()


def _roll_up(session: Session, objective_ids: set[int]) -> None:
    _lock_objective_chains(session, objective_ids)
    for objective_id in sorted(objective_ids):
        refresh_objective_chain(session, objective_id)


def _refresh_locked(session: Session, ids: list[int], now: datetime) -> set[int]:
    """Recompute the KRs (rows locked in id order); the objectives of those refreshed."""
    # Locking first means the counts below see every item change committed before ours, and
    # concurrent jobs (webhook deliveries, reconcile passes) cannot lose each other's updates.
    krs = session.scalars(select(KeyResult).where(KeyResult.id.in_(ids)).order_by(KeyResult.id)
                          .with_for_update().execution_options(populate_existing=True)).all()
    objective_ids = set()
    # A chunk of KRs at a time: memory follows the chunk, not the number of KRs recounted.
    for start in range(0, len(krs), RECOUNT_CHUNK):
        chunk = krs[start:start + RECOUNT_CHUNK]
        facts = load_recount_facts(session, [kr.id for kr in chunk], [kr.objective_id for kr in chunk])
        for kr in chunk:
            cycle = facts.cycles[kr.objective_id]
            if cycle.status in READ_ONLY_CYCLES:
                continue  # closed and archived cycles are read-only, even for sync
            refresh_key_result(session, kr, cycle, now, facts)
            objective_ids.add(kr.objective_id)
    return objective_ids


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


def _standing(session: Session, kr_ids: list[int]) -> dict[int, tuple]:
    rows = session.execute(select(KeyResult.id, KeyResult.progress, KeyResult.status,
                                  KeyResult.current_value).where(KeyResult.id.in_(kr_ids)))
    return {row.id: (row.progress, row.status, row.current_value) for row in rows}
