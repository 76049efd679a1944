"""A reconcile pass over one connection: read changed items page by page, apply each page with its cursor.

Incremental: items updated since the cursor (minus an overlap). Full: every item, so items that
left a link (moved, relabelled, deleted) stop counting; Jira deletions are confirmed by `get_items`.
Either way, tracker-evaluated scopes (JQL, filter, initiative, mirror) are re-resolved once each.
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Callable, Iterator

from connector.registry import tracker
from okr_core.connection_settings import ConnectionSettings
from okr_core.domain import Page, TrackerKind
from connector.base import TrackedScope
from connector.errors import RequestRejected
from okr_core.models import Connection, SyncState, utcnow
from plumbing.db import engine, job_session
from sync.connections.connectors import connector_for
from sync.ingest.apply import (
    PENDING, ingest, load_links, load_stored, mark_seen, record_progress, sync_state,
    unseen_live_ids,
)
from sync.ingest.plan import LinkIndex, PagePlan, PassState, plan_deletions, plan_page, since_for
from sync.reconcile.finish import recount_pending
from sync.reconcile.lock import PassLock, pass_lock
from sync.reconcile.prefetch import prefetched_pages
from sync.reconcile.scopes import resolve_scopes
from sync.reconcile.table_stats import GrowthAnalyzer
from sync.ingest.discussions import mine_discussions
from sync.reconcile.tracked_scope import clear_gone_parents, tracked_scope, without_gone_parents

log = logging.getLogger("okrsync.sync.reconcile")
# Items applied per transaction (setting `reconcile_batch_items`): fewer commits, the same
# guarantee, since the cursor is stored with the items it covers.
VANISHED_CHUNK = 500   # items a full pass missed, re-read by id and flagged deleted per transaction


@dataclass
class PassCounts:
    """What a pass did; stored as SyncState.last_counts."""

    batches: int = 0
    items_read: int = 0
    items_changed: int = 0
    duplicates: int = 0
    stale: int = 0
    scopes_resolved: int = 0
    deleted: int = 0
    key_results_recounted: int = 0
    key_results_moved: int = 0
    mirrors_created: int = 0
    rewalks: int = 0                # incremental reads repeated because items changed mid-read
    discussion_calls: int = 0       # calls reading comments and blocking relations of changed work
    seconds_discussions: float = 0.0   # reading and storing those (part of seconds_items)
    seconds_items: float = 0.0      # reading and storing items, re-resolving scopes
    seconds_recount: float = 0.0    # recomputing the key results those items touched


Progress = Callable[[int], None]   # told how many items each applied batch brought


def reconcile_connection(connection_id: int, full: bool = False, connector=None,
                         progress: Progress | None = None) -> PassCounts:
    """Run one pass under the connection's lock; PassAlreadyRunning when one is running."""
    with job_session() as session:
        if session.get(Connection, connection_id) is None:
            raise LookupError(f"connection {connection_id} does not exist")
    with pass_lock(connection_id) as lock:
        try:
            counts = _run_pass(connection_id, full, connector, progress, lock)
        except Exception as exc:
            _record_outcome(connection_id, full, None, f"{type(exc).__name__}: {exc}")
            raise
    _record_outcome(connection_id, full, counts, None)
    return counts


def _run_pass(connection_id: int, full: bool, connector, progress: Progress | None,
              lock: PassLock) -> PassCounts:
    with job_session() as session:
        connection = session.get(Connection, connection_id)
        cursor = None if full else sync_state(session, connection_id).cursor
        links = load_links(session, connection_id)
        scope = tracked_scope(session, connection_id, links, full=full)
        state = PassState(newest_first=tracker(connection.tracker).newest_first, recheck_all=full)
        batch_items = ConnectionSettings.from_stored(connection.settings).reconcile_batch_items
        owned = connector is None
        connector = connector or connector_for(connection)
    def read(within: TrackedScope) -> PassCounts:
        counts = _read_and_recount(connection_id, connector, state, since_for(cursor), links,
                                   batch_items, progress, lock, within)
        if full:
            clear_gone_parents(connection_id, within)
        return counts

    try:
        try:
            return read(scope)
        except RequestRejected:
            # Jira refuses the whole search when one epic it names was deleted: read without it.
            narrowed = without_gone_parents(connection_id, connector, scope)
            if narrowed is None:
                raise
            return read(narrowed)
    finally:
        if owned:
            connector.close()


def _read_and_recount(connection_id: int, connector, state: PassState, since, links,
                      batch_items: int, progress: Progress | None, lock: PassLock,
                      scope: TrackedScope | None = None) -> PassCounts:
    """Read, store and re-resolve, then recount what moved (and, full, mirror what is missing)."""
    started, counts = time.perf_counter(), PassCounts()
    index, changed, read_from = LinkIndex(links), set(), utcnow()
    statistics = GrowthAnalyzer(engine())

    def walk() -> tuple[set, bool]:
        """Every page once; whether an item came twice (it changed while the pages were read)."""
        rescope, read, raced = set(), set(), False
        pages = prefetched_pages(lambda token: connector.fetch_changed(since, token, scope=scope))
        for batch in batched(pages, batch_items):
            changed_before = counts.items_changed
            plan = _apply_page(connection_id, state, batch, index, counts)
            statistics.wrote(counts.items_changed - changed_before + len(plan.member_adds))
            rescope |= plan.rescope
            changed.update(i.external_id for i in plan.upserts)
            if not state.recheck_all:   # a full pass keeps nothing per item (its vanished check)
                ids = [i.external_id for i in batch.items]
                raced = raced or len(set(ids)) < len(ids) or not read.isdisjoint(ids)
                read.update(ids)
            if progress:
                progress(len(batch.items))
            lock.extend()
        return rescope, raced

    rescope, raced = walk()
    if raced:
        # Page tokens walk a live result: an item read, then changed, comes again at the end, and
        # every item behind its old place moved one place towards pages already read, so one of
        # them may have been skipped. Read the window once more (stored items compare as
        # unchanged); a full pass finds skipped items through the vanished check instead.
        counts.rewalks += 1
        rescope |= walk()[0]
    if state.recheck_all:
        rescope = set(index.tracker_scopes)
        counts.deleted = _confirm_vanished(connection_id, connector, state, index, read_from, counts)
    counts.scopes_resolved = resolve_scopes(connection_id, connector, links, rescope)
    mined = time.perf_counter()
    counts.discussion_calls = mine_discussions(connection_id, connector, changed)
    counts.seconds_discussions = round(time.perf_counter() - mined, 3)
    counts.seconds_items = round(time.perf_counter() - started, 3)
    counts.key_results_recounted, counts.key_results_moved = recount_pending(connection_id)
    counts.seconds_recount = round(time.perf_counter() - started - counts.seconds_items, 3)
    if state.recheck_all:
        from sync.mirror.mirrors import mirror_missing

        counts.mirrors_created = mirror_missing(connection_id, connector=connector)
    return counts


def _apply_page(connection_id: int, state: PassState, page: Page, links: LinkIndex,
                counts: PassCounts):
    with job_session() as session:
        stored = load_stored(session, connection_id, (i.external_id for i in page.items))
        plan = plan_page(state, page.items, stored, links, is_last=page.next_cursor is None)
        counts.items_changed += ingest(session, connection_id, plan, stored)
        if state.recheck_all:
            mark_seen(session, connection_id, plan.seen_ids)
        record_progress(session, connection_id, plan.cursor, plan.key_result_ids)
    counts.batches += 1
    counts.items_read += len(page.items)
    counts.duplicates += plan.duplicates
    counts.stale += plan.stale
    return plan


def _confirm_vanished(connection_id: int, connector, state: PassState, links: LinkIndex,
                      read_from: datetime, counts: PassCounts) -> int:
    """Items the full read missed: re-read them by id; those the tracker no longer has are deleted.

    The store knows which items the read returned (each batch stamped them, mark_seen), so the
    pass keeps nothing per item while it reads; the candidates come back VANISHED_CHUNK at a time.
    """
    with job_session() as session:
        candidates = unseen_live_ids(session, connection_id, read_from)
    gone_count = 0
    for start in range(0, len(candidates), VANISHED_CHUNK):
        chunk = candidates[start:start + VANISHED_CHUNK]
        found = connector.get_items(chunk)
        if found:
            _apply_page(connection_id, state, Page(items=found), links, counts)
        gone = sorted(set(chunk) - {i.external_id for i in found})
        with job_session() as session:
            stored = load_stored(session, connection_id, gone)
            plan = PagePlan()
            plan_deletions(plan, dict.fromkeys(gone), stored, links)
            ingest(session, connection_id, plan, stored)
            record_progress(session, connection_id, None, plan.key_result_ids)
        gone_count += len(gone)
    return gone_count


def batched(pages: Iterator[Page], min_items: int) -> Iterator[Page]:
    """Consecutive pages joined until they hold `min_items` (or the read ends): one transaction each."""
    items: list = []
    for page in pages:
        items.extend(page.items)
        if len(items) >= min_items or page.next_cursor is None:
            yield Page(items=items, next_cursor=page.next_cursor)
            items = []


def _record_outcome(connection_id: int, full: bool, counts: PassCounts | None,
                    error: str | None) -> None:
    with job_session() as session:
        state = sync_state(session, connection_id)
        state.last_kind = "full" if full else "incremental"
        state.last_error = error[:4000] if error else None
        kept = {PENDING: state.last_counts[PENDING]} if (state.last_counts or {}).get(PENDING) else {}
        if counts is not None:
            state.last_counts = {**asdict(counts), **kept}
    log.info("sync.reconcile.finished" if error is None else "sync.reconcile.failed",
             extra={"connection_id": connection_id, "full": full, "error": error,
                    **(asdict(counts) if counts else {})})


def sync_status(session, connection_id: int) -> dict:
    """The last pass of a connection, as the API shows it."""
    state = session.get(SyncState, connection_id)
    if state is None:
        return {"connection_id": connection_id, "cursor": None, "last_kind": None,
                "last_started_at": None, "last_finished_at": None, "last_counts": {},
                "last_error": None}
    return {"connection_id": connection_id, "cursor": _iso(state.cursor),
            "last_kind": state.last_kind, "last_started_at": _iso(state.last_started_at),
            "last_finished_at": _iso(state.last_finished_at),
            "last_counts": dict(state.last_counts or {}), "last_error": state.last_error}


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat() if moment else None
