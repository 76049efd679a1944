"""The links a batch of items is planned with, loaded for that batch alone.

A pass (or a webhook delivery) does not hold the connection's links in memory, which grow with
its key results: each batch loads the links that may match its items locally, found by folded ref
(WorkLink.match_ref, indexed with the connection) among the folded ids, keys, parents and labels of
its items, and the links its stored items count toward now (by id). The links only the tracker can
evaluate (JQL, filters, initiatives, mirrors, labels given by id) join every batch: planning
re-resolves their scopes whenever an item changes, and they are loaded once (`PassLinks.load`).

Planning a batch with this index decides what planning it with every link would:
`LinkIndex.matching` only returns links indexed under a folded value of the item, and memberships
are only dropped for links an item counts now.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.domain import LinkKind, WorkItem
from okr_core.membership import TRACKER_EVALUATED, folded_ref
from okr_core.models import WorkLink
from okr_core.store import in_filters
from sync.ingest.plan import LinkIndex, LinkView, StoredItem, only_tracker_decides

_COLUMNS = (WorkLink.id, WorkLink.key_result_id, WorkLink.kind, WorkLink.ref)
# Kinds a link only the tracker can evaluate may have (a label given by id is one).
_MAYBE_TRACKER = sorted(TRACKER_EVALUATED | {LinkKind.LABEL})


class PassLinks:
    """A connection's tracker-evaluated links, and per batch the index to plan it with."""

    def __init__(self, connection_id: int, tracker_links: Sequence[LinkView]):
        self.connection_id = connection_id
        self.tracker_links = list(tracker_links)
        self.tracker_scopes = {link.scope for link in self.tracker_links}

    @classmethod
    def load(cls, session: Session, connection_id: int) -> "PassLinks":
        rows = session.execute(select(*_COLUMNS).where(
            WorkLink.connection_id == connection_id, WorkLink.kind.in_(_MAYBE_TRACKER))
            .order_by(WorkLink.id))
        views = (LinkView(r.id, r.key_result_id, r.kind, r.ref) for r in rows)
        return cls(connection_id, [view for view in views if only_tracker_decides(view)])

    def for_batch(self, session: Session, items: Iterable[WorkItem],
                  stored: Mapping[str, StoredItem]) -> LinkIndex:
        """The index planning these items (and these stored rows, deleted ones too) needs."""
        found = {link.id: link for link in self.tracker_links}
        for link in links_matching(session, self.connection_id, items):
            found.setdefault(link.id, link)
        counted = {link_id for known in stored.values() for link_id in known.link_ids} - set(found)
        for link in links_by_id(session, self.connection_id, counted):
            found[link.id] = link
        return LinkIndex(list(found.values()))


def folded_values(items: Iterable[WorkItem]) -> list[str]:
    """Every folded value a local link may match in these items, sorted."""
    values = set()
    for item in items:
        values.update((item.external_id, item.key, item.parent_ref or "", *item.labels))
    return sorted({folded_ref(value) for value in values} - {""})


def links_matching(session: Session, connection_id: int, items: Iterable[WorkItem]) -> list[LinkView]:
    """Links whose folded ref is a folded value of one of these items (a superset of the links
    that match them locally)."""
    found = []
    for matching in in_filters(session, WorkLink.match_ref, folded_values(items)):
        rows = session.execute(select(*_COLUMNS).where(WorkLink.connection_id == connection_id,
                                                       matching))
        found += [LinkView(r.id, r.key_result_id, r.kind, r.ref) for r in rows]
    return found


def links_by_id(session: Session, connection_id: int, link_ids: Iterable[int]) -> list[LinkView]:
    """These links of the connection (those still there). The connection is checked on the rows
    read, not in the statement: as a condition, the planner may add a scan of the connection's
    index range to the primary key probes."""
    found = []
    for matching in in_filters(session, WorkLink.id, sorted(link_ids)):
        rows = session.execute(select(*_COLUMNS, WorkLink.connection_id).where(matching))
        found += [LinkView(r.id, r.key_result_id, r.kind, r.ref) for r in rows
                  if r.connection_id == connection_id]
    return found
