"""Re-resolve search scopes (JQL, filter, initiative, mirror...) once each, for every link sharing them."""
from __future__ import annotations

import logging
from collections import defaultdict
from typing import Iterable, Sequence

from connector.paging import all_items
from okr_core.domain import LinkKind
from okr_core.models import WorkLink, utcnow
from plumbing.db import job_session
from sync.ingest.links import PERMANENT
from sync.ingest.apply import ingest_resolution, record_progress
from sync.ingest.plan import LinkView

log = logging.getLogger("okrsync.sync.reconcile")


def resolve_scopes(connection_id: int, connector, links: Sequence[LinkView],
                   scopes: Iterable[tuple[str, str]]) -> int:
    """Ask the tracker once per distinct scope and set the members of its links; scopes resolved."""
    by_scope: dict[tuple[str, str], list[LinkView]] = defaultdict(list)
    for link in links:
        by_scope[link.scope].append(link)
    resolved = 0
    for scope in sorted(set(scopes)):
        sharing = by_scope.get(scope)
        if sharing:
            resolved += resolve_scope(connection_id, connector, sharing)
    return resolved


def resolve_scope(connection_id: int, connector, sharing: list[LinkView]) -> int:
    """Resolve one scope through the tracker and apply it to every link sharing it; 1 or 0."""
    kind, ref = LinkKind(sharing[0].kind), sharing[0].ref
    try:
        items = list(all_items(connector.resolve_link, kind, ref))
    except PERMANENT as exc:
        # A bad query or a lost permission fails this scope only; the admins see it on the link.
        _record_link_error(sharing, f"{type(exc).__name__}: {exc}")
        log.warning("sync.reconcile.scope-failed", extra={"connection_id": connection_id,
                                                          "kind": str(kind), "error": type(exc).__name__})
        return 0
    with job_session() as session:
        live = [link for link in sharing if session.get(WorkLink, link.id) is not None]
        if not live:
            return 0   # removed while we were asking the tracker
        plan = ingest_resolution(session, connection_id, live, items)
        record_progress(session, connection_id, None, plan.key_result_ids)
        for link in live:
            row = session.get(WorkLink, link.id)
            row.resolved_at, row.last_error = utcnow(), None
    return 1


def _record_link_error(links: list[LinkView], message: str) -> None:
    with job_session() as session:
        for link in links:
            row = session.get(WorkLink, link.id)
            if row is not None:
                row.last_error = message[:2000]
