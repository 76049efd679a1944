"""Resolving a work link through its tracker: which items it matches now, stored as its members."""
from __future__ import annotations

import logging
from typing import Iterator

from connector.errors import (
    AuthenticationFailed, NotFound, PermissionDenied, RequestRejected, TrackerError,
)
from okr_core import domain
from okr_core.models import Connection, WorkLink, utcnow
from okr_core.recount import recount
from plumbing.db import job_session
from sync.connections.connectors import job_connector_for
from sync.ingest.discussions import mine_discussions
from sync.followups import followups_for
from sync.ingest.apply import ingest_resolution
from sync.ingest.plan import LinkView

log = logging.getLogger("okrsync.sync.links")
# Failures a retry cannot fix: recorded on the link for admins, not retried.
PERMANENT = (AuthenticationFailed, PermissionDenied, NotFound, RequestRejected)


def all_pages(fetch) -> Iterator[domain.WorkItem]:
    """Walk a paged connector call to its end."""
    cursor = None
    while True:
        page = fetch(cursor)
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


def resolve_link_now(link_id: int, connector=None) -> int | None:
    """Fetch the link's items, store them and its membership, recompute its KR; returns the count."""
    with job_session() as session:
        link = session.get(WorkLink, link_id)
        if link is None:
            return None
        kind, ref = link.kind, link.ref
        connection = session.get(Connection, link.connection_id)
    # Built after the read's transaction ends: on SQLite every transaction holds the write lock
    # (BEGIN IMMEDIATE), and building a connector can take a while (Linear's parses its schema).
    owned = connector is None
    connector = connector or job_connector_for(connection)
    try:
        items = list(all_pages(lambda cursor: connector.resolve_link(kind, ref, cursor)))
        stored = _store_resolution(link_id, items)
        if stored is not None:
            _mine(connection.id, connector, stored[1])
    except PERMANENT as exc:
        record_link_error(link_id, f"{type(exc).__name__}: {exc}")
        log.warning("sync.links.resolve-failed", extra={"link_id": link_id,
                                                         "error": type(exc).__name__})
        return None
    finally:
        if owned:
            connector.close()
    return None if stored is None else stored[0]


def _mine(connection_id: int, connector, changed: set[str]) -> None:
    """Comments and blocking relations of the link's changed items; a failure costs only those."""
    try:
        mine_discussions(connection_id, connector, changed)
    except TrackerError as exc:
        log.warning("sync.links.discussions-failed", extra={"connection_id": connection_id,
                                                             "error": type(exc).__name__})


def _store_resolution(link_id: int, items: list[domain.WorkItem]) -> tuple[int, set[str]] | None:
    with job_session() as session:
        link = session.get(WorkLink, link_id)
        if link is None:
            return None  # removed while we were asking the tracker
        # Trashed Linear issues still match their filters; deleted work never counts.
        plan = ingest_resolution(session, link.connection_id,
                                 [LinkView(link.id, link.key_result_id, link.kind, link.ref)], items)
        link.resolved_at, link.last_error = utcnow(), None
        moved = recount(session, [link.key_result_id], utcnow())
        followups = followups_for(session, moved)
    followups.queue()
    # Items changed or newly linked: their comments and relations are worth reading now.
    fresh = {i.external_id for i in plan.upserts} | {ext for _, ext in plan.member_adds}
    return len(plan.seen_ids), fresh


def record_link_error(link_id: int, message: str) -> None:
    with job_session() as session:
        link = session.get(WorkLink, link_id)
        if link is not None:
            link.last_error = message[:2000]
