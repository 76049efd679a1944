"""After a delivery: ask the tracker, link by link, whether the changed items match it.

Links only the tracker can evaluate (JQL, filters, initiatives, mirror links) used to be re-read
in full on every delivery. One delivery changes one or a few items, so each link costs one call
per changed item instead: Jira `issue = KEY AND (<link JQL>)`, Linear `{id: {eq}}` combined with
the link's filter (connector `link_matches_item`).
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from connector.registry import tracker
from okr_core.models import Connection, WorkItem, WorkLink, utcnow
from plumbing.db import job_session
from sync.connections.connectors import connector_for
from sync.followups import followups_for
from sync.ingest.links import PERMANENT, record_link_error
from plumbing.queue import QueueUnavailable, enqueue
from okr_core.recount import recount
from sync.ingest.apply import add_members, remove_members

log = logging.getLogger("okrsync.sync.link_checks")


def check_item_links(connection_id: int, link_ids: list[int], external_ids: list[str]) -> int:
    """Job: membership of these items in these links, asked of the tracker; calls made."""
    with job_session() as session:
        connection = session.get(Connection, connection_id)
        links = session.execute(select(WorkLink.id, WorkLink.kind, WorkLink.ref).where(
            WorkLink.id.in_(link_ids), WorkLink.connection_id == connection_id)).all()
        items = session.execute(select(WorkItem.id, WorkItem.external_id, WorkItem.key).where(
            WorkItem.connection_id == connection_id, WorkItem.external_id.in_(external_ids),
            WorkItem.deleted.is_(False))).all()
        if connection is None or not links or not items:
            return 0
    # Outside the transaction, which on SQLite holds the write lock: see resolve_link_now.
    connector = connector_for(connection)
    by_key = tracker(connection.tracker).names_items_by_key
    answers, calls = {}, 0
    try:
        for link in links:
            try:
                for item in items:
                    calls += 1
                    ref = item.key if by_key else item.external_id
                    answers[(link.id, item.id)] = connector.link_matches_item(link.kind, link.ref, ref)
            except PERMANENT as exc:
                record_link_error(link.id, f"{type(exc).__name__}: {exc}")
    finally:
        connector.close()
    _store_answers(connection_id, answers)
    return calls


def _store_answers(connection_id: int, answers: dict[tuple[int, int], bool]) -> None:
    with job_session() as session:
        kr_of = dict(session.execute(select(WorkLink.id, WorkLink.key_result_id).where(
            WorkLink.id.in_(sorted({link_id for link_id, _ in answers})))).all())
        answered = {pair: member for pair, member in answers.items() if pair[0] in kr_of}
        add_members(session, [pair for pair, member in answered.items() if member])
        remove_members(session, [pair for pair, member in answered.items() if not member])
        kr_ids = {kr_of[link_id] for link_id, _ in answered}
        moved = recount(session, kr_ids, utcnow())
        followups = followups_for(session, moved)
    followups.queue()


def enqueue_item_checks(connection_id: int, link_ids: set[int], external_ids: set[str],
                        delivery_id: int) -> None:
    """Queue the check once per delivery (a retried delivery does not queue it twice)."""
    if not link_ids or not external_ids:
        return
    try:
        enqueue("check_item_links", connection_id, sorted(link_ids), sorted(external_ids),
                job_id=f"check-links-delivery-{delivery_id}")
    except QueueUnavailable as exc:
        # The next reconcile pass re-resolves every such link; nothing durable is lost here.
        log.warning("sync.link-checks.unqueued", extra={"connection_id": connection_id,
                                                        "error": str(exc)})
