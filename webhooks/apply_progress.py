"""After items change: update link membership and recompute every key result they count toward."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from okr_core.domain import CycleStatus, LinkKind
from okr_core.models import Cycle, KeyResult, LinkItem, Objective, WorkItem, WorkLink
from okr_core.progress_service import refresh_key_result, refresh_objective_chain, to_domain_item
from sync.membership import link_matches
from webhooks.apply import insert_if_absent

READ_ONLY_CYCLES = (CycleStatus.CLOSED, CycleStatus.ARCHIVED)


@dataclass
class MembershipChanges:
    """Key results to recompute now, and links only the tracker can re-evaluate."""

    key_result_ids: set[int] = field(default_factory=set)
    links_to_resolve: set[int] = field(default_factory=set)


def update_memberships(session: Session, connection_id: int,
                       rows: Iterable[WorkItem]) -> MembershipChanges:
    """Add or drop LinkItems for each changed item, link by link of its connection."""
    changes = MembershipChanges()
    links = session.scalars(select(WorkLink).where(WorkLink.connection_id == connection_id)
                            .order_by(WorkLink.id)).all()
    for row in rows:
        _update_item(session, row, links, changes)
    return changes


def _update_item(session: Session, row: WorkItem, links, changes: MembershipChanges) -> None:
    current = set(session.scalars(select(LinkItem.work_link_id)
                                  .where(LinkItem.work_item_id == row.id)))
    item = to_domain_item(row)
    for link in links:
        member = link_matches(link.kind, link.ref, item)
        if member is None:
            changes.links_to_resolve.add(link.id)
        elif member and link.id not in current:
            insert_if_absent(session, LinkItem, {"work_link_id": link.id, "work_item_id": row.id},
                             ["work_link_id", "work_item_id"])
        elif not member and link.id in current:
            session.execute(delete(LinkItem).where(LinkItem.work_link_id == link.id,
                                                   LinkItem.work_item_id == row.id))
        # The item counted before or counts now: either way the KR's numbers may move.
        if member or link.id in current:
            changes.key_result_ids.add(link.key_result_id)


def container_links(session: Session, connection_id: int, refs: Iterable[str]) -> set[int]:
    """Project / initiative links whose container changed in the tracker."""
    refs = list(refs)
    if not refs:
        return set()
    return set(session.scalars(select(WorkLink.id).where(
        WorkLink.connection_id == connection_id,
        WorkLink.kind.in_([LinkKind.PROJECT, LinkKind.INITIATIVE]), WorkLink.ref.in_(refs))))


def refresh_key_results(session: Session, kr_ids: Iterable[int], now: datetime,
                        default_estimate: float = 1.0) -> list[int]:
    """Recompute the KRs (rows locked in id order) and their objective chains; ids refreshed."""
    ids = sorted(set(kr_ids))
    if not ids:
        return []
    # Locking first means the counts below see every item change committed before ours.
    krs = session.scalars(select(KeyResult).where(KeyResult.id.in_(ids)).order_by(KeyResult.id)
                          .with_for_update().execution_options(populate_existing=True)).all()
    refreshed, objective_ids = [], set()
    for kr in krs:
        cycle = session.scalars(select(Cycle).join(Objective, Objective.cycle_id == Cycle.id)
                                .where(Objective.id == kr.objective_id)).one()
        if cycle.status in READ_ONLY_CYCLES:
            continue
        refresh_key_result(session, kr, cycle, now, default_estimate)
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
