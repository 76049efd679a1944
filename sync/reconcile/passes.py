"""A reconcile pass over one connection: read changed items page by page, apply each page with its cursor.

Incremental: items updated since the cursor (minus an overlap). Full: every item, so items that
left a link (moved, relabelled, deleted) stop counting; Jira deletions are confirmed by `get_items`.
Either way, tracker-evaluated scopes (JQL, filter, initiative, mirror) are re-resolved once each.
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator, Sequence

from connector.registry import tracker
from okr_core.connection_settings import ConnectionSettings
from okr_core.domain import Page
from connector.base import TrackedScope
from connector.errors import RequestRejected
from okr_core.models import Connection, SyncState, utcnow
from plumbing.db import engine, job_session
from sync.connections.connectors import connector_for
from sync.ingest.apply import (
    MOVED, PART_CURSORS, PENDING, ingest, load_stored, mark_seen, record_progress, sync_state,
    unseen_live_ids,
)
from sync.ingest.batch_links import PassLinks
from sync.ingest.plan import PagePlan, PassState, plan_deletions, plan_page, since_for
from sync.reconcile.finish import recount_pending, recount_some
from sync.reconcile.lock import PassLock, pass_lock
from sync.reconcile.prefetch import PrefetchedPages, prefetched_pages
from sync.reconcile.scopes import resolve_scopes
from sync.reconcile.table_stats import GrowthAnalyzer
from sync.ingest.discussions import defer_discussions, discussion_capacity, mine_discussions
from sync.reconcile.tracked_scope import (
    clear_gone_parents, clear_missing_projects, missing_projects, narrowed_after_refusal, tracked_scope,
)

log = logging.getLogger("okrsync.sync.reconcile")
# Items applied per transaction (setting `reconcile_batch_items`): fewer commits, the same
# guarantee, since the cursor is stored with the items it covers.
VANISHED_CHUNK = 500   # items a full pass missed, re-read by id and flagged deleted per transaction
READ_FILTER_BYTES = 1 << 20   # the Bloom filter of ids a walk read (ReadOnce): 8 Mbit, 3 bits an id
LATE_MARGIN = timedelta(minutes=5)   # how far the tracker's clock may lag ours
RECOUNT_WHILE_READING = 50   # KRs per recount while the reader is ahead (as at the end: RECOUNT_KRS)


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
    seconds_recount: float = 0.0    # recomputing the key results those items touched, after reading
    recounted_while_reading: int = 0   # KR recounts done while the next page was awaited
    seconds_recount_while_reading: float = 0.0   # their time (part of seconds_items)
    projects_missing: list = field(default_factory=list)   # tracked projects the tracker no longer has


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
            record_outcome(connection_id, full, None, f"{type(exc).__name__}: {exc}")
            raise
    record_outcome(connection_id, full, counts, None)
    return counts


def _run_pass(connection_id: int, full: bool, connector, progress: Progress | None,
              lock: PassLock) -> PassCounts:
    with job_session() as session:
        connection = session.get(Connection, connection_id)
        cursor = None if full else sync_state(session, connection_id).cursor
        links = PassLinks.load(session, connection_id)
        scope = tracked_scope(session, connection_id, full=full)
        state = PassState(newest_first=tracker(connection.tracker).newest_first, recheck_all=full)
        batch_items = ConnectionSettings.from_stored(connection.settings).reconcile_batch_items
        owned = connector is None
        connector = connector or connector_for(connection)
    def read(within: TrackedScope) -> PassCounts:
        counts = _read_and_recount(connection_id, connector, state, since_for(cursor), links,
                                   batch_items, progress, lock, within)
        clear_missing_projects(connection_id, within)
        if full:
            clear_gone_parents(connection_id, within)
        return counts

    try:
        try:
            return read(scope)
        except RequestRejected:
            # Jira refuses the whole search when one project or epic it names is gone: read
            # without them.
            narrowed = narrowed_after_refusal(connection_id, connector, scope)
            if narrowed is None:
                raise
            counts = read(narrowed)
            counts.projects_missing = missing_projects(scope, narrowed)
            return counts
    finally:
        if owned:
            connector.close()


def _read_and_recount(connection_id: int, connector, state: PassState, since, links: PassLinks,
                      batch_items: int, progress: Progress | None, lock: PassLock,
                      scope: TrackedScope | None = None) -> PassCounts:
    """Read, store and re-resolve, then recount what moved (and, full, mirror what is missing)."""
    started, counts = time.perf_counter(), PassCounts()
    read_from = utcnow()
    reading = read_changed(connection_id, connector, state, since, links, batch_items, counts, lock,
                           scope, progress)
    rescope = reading.rescope
    if state.recheck_all:
        rescope = set(links.tracker_scopes)
        counts.deleted = confirm_vanished(connection_id, connector, state, links, read_from, counts)
    counts.scopes_resolved = resolve_scopes(connection_id, connector, links.tracker_links, rescope)
    mine(connection_id, connector, reading.changed, counts)
    counts.seconds_items = round(time.perf_counter() - started, 3)
    counts.seconds_recount_while_reading = round(counts.seconds_recount_while_reading, 3)
    counts.key_results_recounted, counts.key_results_moved = recount_pending(connection_id)
    counts.seconds_recount = round(time.perf_counter() - started - counts.seconds_items, 3)
    if state.recheck_all:
        from sync.mirror.mirrors import mirror_missing

        counts.mirrors_created = mirror_missing(connection_id, connector=connector)
    return counts


@dataclass
class Reading:
    """What reading a connection's changed items leaves for the end of the pass: nothing per item
    read beyond the `capacity` changed linked items whose discussions the pass may read."""

    capacity: int                # discussion_capacity: the most items whose discussions are read
    rescope: set = field(default_factory=set)    # tracker-evaluated scopes the items touched
    changed: set = field(default_factory=set)    # changed linked items (external ids), capped
    cursor: datetime | None = None   # the newest tracker time read

    def note_changed(self, external_ids: Iterable[str]) -> list[str]:
        """Keep changed items up to the capacity; those beyond it (for the backlog)."""
        beyond = []
        for external_id in external_ids:
            if len(self.changed) >= self.capacity:
                beyond.append(external_id)
            else:
                self.changed.add(external_id)
        return beyond


class ReadOnce:
    """Whether an item came twice in one walk, in a fixed amount of memory, whatever its size.

    A second copy of an item is one that changed after the walk read it, so it was updated after
    the walk began (LATE_MARGIN allows for the tracker's clock). Every id read goes into a Bloom
    filter of READ_FILTER_BYTES; a late item whose id the filter already holds came twice (or, at
    about 1 in 20,000 at 100,000 items read, seems to: the window is then read once more).
    """

    def __init__(self, began: datetime):
        self._bits = bytearray(READ_FILTER_BYTES)
        self._late_from = began - LATE_MARGIN
        self.twice = False

    def add(self, items: Sequence) -> None:
        bits, size = self._bits, READ_FILTER_BYTES * 8
        for item in items:
            first, second = hash(item.external_id), hash((item.external_id, 1))
            positions = (first % size, (first >> 32) % size, second % size)
            known = all(bits[p >> 3] & (1 << (p & 7)) for p in positions)
            if known and _aware(item.updated_at) >= self._late_from:
                self.twice = True
            for p in positions:
                bits[p >> 3] |= 1 << (p & 7)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def read_changed(connection_id: int, connector, state: PassState, since, links: PassLinks,
                 batch_items: int, counts: PassCounts, lock: PassLock,
                 scope: TrackedScope | None = None, progress: Progress | None = None,
                 part: str | None = None) -> Reading:
    """Read every page changed since `since` within `scope`, storing each batch with the pending KRs
    and the cursor (the connection's, or that `part` of a split pass's) in its transaction; once
    more if items raced."""
    with job_session() as session:
        reading = Reading(discussion_capacity(session.get(Connection, connection_id).settings, connector))
    statistics = GrowthAnalyzer(engine())

    def walk() -> bool:
        """Every page once; whether an item came twice (it changed while the pages were read)."""
        read = ReadOnce(utcnow())
        pages = changed_pages(connector, since, scope)
        try:
            for batch in batched(pages, batch_items):
                changed_before = counts.items_changed
                plan = _apply_page(connection_id, state, batch, links, counts, part, reading)
                statistics.wrote(counts.items_changed - changed_before + len(plan.member_adds))
                reading.rescope |= plan.rescope
                if plan.cursor is not None and (reading.cursor is None or plan.cursor > reading.cursor):
                    reading.cursor = plan.cursor
                if not state.recheck_all:   # a full pass finds what it missed by its vanished check
                    read.add(batch.items)
                if progress:
                    progress(len(batch.items))
                _recount_while_waiting(connection_id, pages, counts, frozenset(plan.key_result_ids))
                lock.extend()
        finally:
            pages.close()
        return read.twice

    if walk():
        # Page tokens walk a live result: an item read, then changed, comes again at the end, and
        # every item behind its old place moved one place towards pages already read, so one of
        # them may have been skipped. Read the window once more (stored items compare as
        # unchanged); a full pass finds skipped items through the vanished check instead.
        counts.rewalks += 1
        walk()
    return reading


def changed_pages(connector, since, scope: TrackedScope | None) -> PrefetchedPages:
    """The pages of `fetch_changed`, read ahead on a thread. A connector class that also hands
    out its pages unmapped (`fetch_changed_issues`, then `work_items`; Jira) has them mapped on
    this thread, so the reader only waits for the tracker and decodes its JSON between two
    requests. Asked of the class: an object wrapping a connector reads through its own
    `fetch_changed`."""
    if not hasattr(type(connector), "fetch_changed_issues"):
        return prefetched_pages(lambda token: connector.fetch_changed(since, token, scope=scope))
    return prefetched_pages(lambda token: connector.fetch_changed_issues(since, token, scope=scope),
                            decode=connector.work_items)


def mine(connection_id: int, connector, changed: set, counts: PassCounts) -> None:
    """Read the comments and blocking relations of changed items (capped per pass), timed."""
    mined = time.perf_counter()
    counts.discussion_calls += mine_discussions(connection_id, connector, changed)
    counts.seconds_discussions = round(counts.seconds_discussions + time.perf_counter() - mined, 3)


def _recount_while_waiting(connection_id: int, pages: PrefetchedPages, counts: PassCounts,
                           filling: frozenset[int]) -> None:
    """While the tracker's answers keep the reader behind, recount pending KRs a chunk at a time.

    The KRs whose items have come are counted now rather than after the last page, so at a real
    answer time the end of the pass has little left to recount. Those the last batch touched
    (`filling`) wait, as more of their items are likely on the next pages; a KR whose items come
    later is pending again and recounted again. A recount starts only while the reader has read
    less than half of what it may read ahead (had it read more, storing is what holds the pass
    back, and recounting now would only slow it), and only once RECOUNT_WHILE_READING KRs are
    ready: its cost is mostly round trips to the store, the same for a few KRs as for a chunk, and
    each of them takes the worker's CPU from the page reader. Their objectives are rolled up once,
    at the end.
    """
    while pages.ahead_of_reader():
        started = time.perf_counter()
        recounted, _ = recount_some(connection_id, RECOUNT_WHILE_READING, deferred=True, skip=filling,
                                    least=RECOUNT_WHILE_READING)
        if not recounted:
            return
        counts.recounted_while_reading += recounted
        counts.seconds_recount_while_reading += time.perf_counter() - started


def _apply_page(connection_id: int, state: PassState, page: Page, links: PassLinks,
                counts: PassCounts, part: str | None = None, reading: Reading | None = None) -> PagePlan:
    """Plan and store one batch with its progress; the plan. The links it is planned with are
    loaded for it (sync.ingest.batch_links). With `reading`, the changed items links count are
    noted there, and those beyond what it keeps are queued for mining in the same transaction."""
    with job_session() as session:
        stored = load_stored(session, connection_id, (i.external_id for i in page.items))
        index = links.for_batch(session, page.items, stored)
        plan = plan_page(state, page.items, stored, index, is_last=page.next_cursor is None)
        counts.items_changed += ingest(session, connection_id, plan, stored)
        if reading is not None:
            added = {external_id for _, external_id in plan.member_adds}
            # Changed items a link counts (their discussions may be read; the miner checks
            # again). Whether a JQL or filter link counts one is known once its scope is
            # resolved: with such links, every changed item is a candidate.
            linked_changed = [i.external_id for i in plan.upserts if links.tracker_scopes
                              or i.external_id in added
                              or (i.external_id in stored and stored[i.external_id].link_ids)]
            defer_discussions(session, connection_id, reading.note_changed(linked_changed))
        if state.recheck_all:
            mark_seen(session, connection_id, plan.seen_ids)
        record_progress(session, connection_id, plan.cursor, plan.key_result_ids, part)
    counts.batches += 1
    counts.items_read += len(page.items)
    counts.duplicates += plan.duplicates
    counts.stale += plan.stale
    return plan


def confirm_vanished(connection_id: int, connector, state: PassState, links: PassLinks,
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
            plan_deletions(plan, dict.fromkeys(gone), stored, links.for_batch(session, (), stored))
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


def record_outcome(connection_id: int, full: bool, counts: PassCounts | None,
                    error: str | None) -> None:
    with job_session() as session:
        state = sync_state(session, connection_id)
        state.last_kind = "full" if full else "incremental"
        state.last_error = error[:4000] if error else None
        kept = {key: state.last_counts[key] for key in (PENDING, MOVED, PART_CURSORS)
                if (state.last_counts or {}).get(key)}
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
