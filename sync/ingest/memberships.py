"""After items change: update link membership and recompute every key result they count toward."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from okr_core.domain import LinkKind
from okr_core.models import LinkItem, WorkItem, WorkLink
from okr_core.progress_service import to_domain_item
from okr_core.membership import link_matches
from sync.ingest.upserts import insert_if_absent


@dataclass
class MembershipChanges:
    """Key results to recompute now, and links only the tracker can re-evaluate."""

    key_result_ids: set[int] = field(default_factory=set)
    links_to_resolve: set[int] = field(default_factory=set)
    links_to_check: set[int] = field(default_factory=set)   # asked item by item (sync.link_item_checks)
    items_to_check: set[str] = field(default_factory=set)
    followups: object | None = None  # sync.followups.Followups, queued after the commit


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

