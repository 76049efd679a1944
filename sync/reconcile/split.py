"""A pass over one large connection split across workers: one job per part, then one finish.

`start_split` takes the connection's pass lock (no other pass runs meanwhile) and queues a job per
part the connector splits the tracked scope into (`split_scope`: Jira a part per tracked project,
plus one for what lies outside them, epic children and JQL links in other projects, those projects
excluded from its search; Linear a part per team, plus one for issues of teams it did not list):
the parts read disjoint sets of issues. Each part claims itself in the split's record (a part
queued twice runs once), reads its issues from its own cursor (PART_CURSORS, advanced with each
batch it stores, so a part resumes where it got to whatever the others did) and stores them
through the one `ingest` (the store's unique keys make an item two parts met a single row, and
memberships are a set), marking the KRs to recount as any pass.
The part that finishes last queues `finish_split`: the deletion check of a full pass (only when
every part read to its end), the scopes only the tracker evaluates, the recount of every pending
KR once, the connection's cursor (the oldest the parts reached), the outcome, the lock released.

The split's record lives in SyncState.last_counts under SPLIT, rewritten under the row's lock.
"""
from __future__ import annotations

import copy
import logging
import time
from dataclasses import asdict
from datetime import datetime

from connector.base import OUTSIDE, TrackedScope
from connector.registry import tracker
from okr_core.connection_settings import ConnectionSettings
from okr_core.models import Connection
from plumbing.db import job_session
from plumbing.queue import enqueue
from sync.connections.connectors import connector_for
from sync.ingest.apply import locked_sync_state, part_cursor, sync_state
from sync.ingest.batch_links import PassLinks
from sync.ingest.plan import PassState, since_for
from sync.reconcile.finish import recount_pending
from sync.reconcile.lock import LOCK_SECONDS, PassLock, acquire_pass_lock
from sync.reconcile.passes import (
    PassCounts, confirm_vanished, mine, read_changed, record_outcome,
)
from sync.reconcile.scopes import resolve_scopes
from connector.errors import RequestRejected
from sync.reconcile.tracked_scope import (
    clear_missing_projects, missing_projects, narrowed_after_refusal, tracked_scope,
)

log = logging.getLogger("okrsync.sync.reconcile")

SPLIT = "split"
SCOPE_FIELDS = ("containers", "parents", "queries", "excluded", "teams")   # a part's, in its record
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
SUMMED = ("batches", "items_read", "items_changed", "duplicates", "stale", "rewalks",
          "discussion_calls", "recounted_while_reading")


def split_parts(connector, scope: TrackedScope) -> dict[str, TrackedScope]:
    """The parts of a split pass by name (the connector's `split_scope`), or {} when the scope
    does not split into two parts or more besides OUTSIDE."""
    parts = connector.split_scope(scope)
    return parts if len(set(parts) - {OUTSIDE}) >= 2 else {}


def start_split(connection_id: int, full: bool) -> list[str] | None:
    """Take the connection's lock and queue one job per part; the part names, or None when the
    connection's passes are not split (PassAlreadyRunning when a pass holds it)."""
    with job_session() as session:
        connection = session.get(Connection, connection_id)
        if connection is None:
            raise LookupError(f"connection {connection_id} does not exist")
        if not ConnectionSettings.from_stored(connection.settings).reconcile_split:
            return None
        scope = tracked_scope(session, connection_id)
        connector = connector_for(connection)
    try:
        parts = split_parts(connector, scope)
    finally:
        connector.close()
    if not parts:
        return None
    lock = acquire_pass_lock(connection_id)
    try:
        with job_session() as session:
            state = locked_sync_state(session, connection_id)
            record = {"id": lock.token, "full": full, "started": lock.started.isoformat(),
                      "since": None if full or state.cursor is None else state.cursor.isoformat(),
                      "parts": {name: {"state": QUEUED, **{field: list(getattr(part, field))
                                                            for field in SCOPE_FIELDS}}
                                for name, part in parts.items()}}
            state.last_counts = {**(state.last_counts or {}), SPLIT: record}
        for name in parts:
            enqueue("reconcile_part", connection_id, lock.token, name, timeout=LOCK_SECONDS)
    except Exception:
        lock.release()
        raise
    log.info("sync.reconcile.split", extra={"connection_id": connection_id, "parts": sorted(parts)})
    return sorted(parts)


def _record(session, connection_id: int, split_id: str) -> tuple:
    """(the locked SyncState, its split record) when `split_id` is the connection's current split."""
    state = locked_sync_state(session, connection_id)
    record = (state.last_counts or {}).get(SPLIT)
    # A copy: changed in place, the JSON would compare equal to what was loaded and not be written.
    return state, (copy.deepcopy(record) if record and record["id"] == split_id else None)


def _set_record(state, record: dict) -> None:
    state.last_counts = {**(state.last_counts or {}), SPLIT: record}


def run_part(connection_id: int, split_id: str, name: str) -> bool:
    """Read and store one part of a split pass; whether it ran (a part runs once per split)."""
    with job_session() as session:
        state, record = _record(session, connection_id, split_id)
        if record is None or record["parts"].get(name, {}).get("state") != QUEUED:
            return False
        part = record["parts"][name]
        part["state"] = RUNNING
        _set_record(state, record)
        resume_from = part_cursor(state, name)
    counts, error, cursor = PassCounts(), None, None
    lock = PassLock.held(connection_id, split_id, datetime.fromisoformat(record["started"]))
    try:
        cursor, rescope = _read_part(connection_id, record, name, resume_from, counts, lock)
    except Exception as exc:
        error, rescope = f"part {name}: {type(exc).__name__}: {exc}", set()
        log.warning("sync.reconcile.part-failed", extra={"connection_id": connection_id, "part": name,
                                                          "error": error})
    with job_session() as session:
        state, record = _record(session, connection_id, split_id)
        if record is None:
            return True
        record["parts"][name].update(
            state=FAILED if error else DONE, error=error, counts=asdict(counts),
            cursor=cursor.isoformat() if cursor else None, rescope=sorted(map(list, rescope)))
        _set_record(state, record)
        last = all(p["state"] in (DONE, FAILED) for p in record["parts"].values())
    if last:
        enqueue("finish_split", connection_id, split_id, timeout=LOCK_SECONDS)
    return True


def _read_part(connection_id: int, record: dict, name: str, resume_from: datetime | None,
               counts: PassCounts, lock: PassLock) -> tuple[datetime | None, set]:
    """Read the part's changed items into the store; (the newest tracker time read, its rescopes).

    An incremental part reads from its own cursor, or the connection's when that is newer (a
    whole pass read every part up to it), or the connection's alone for a part new to the split."""
    part = record["parts"][name]
    scope = TrackedScope(**{field: tuple(part.get(field) or ()) for field in SCOPE_FIELDS})
    since = None
    if not record["full"]:
        whole = datetime.fromisoformat(record["since"]) if record["since"] else None
        known = [moment for moment in (resume_from, whole) if moment is not None]
        since = since_for(max(known)) if known else None
    started = time.perf_counter()
    with job_session() as session:
        connection = session.get(Connection, connection_id)
        links = PassLinks.load(session, connection_id)
        state = PassState(newest_first=tracker(connection.tracker).newest_first,
                          recheck_all=record["full"])
        batch_items = ConnectionSettings.from_stored(connection.settings).reconcile_batch_items
        connector = connector_for(connection)
    def read(within: TrackedScope):
        reading = read_changed(connection_id, connector, state, since, links, batch_items,
                               counts, lock, within, part=name)
        clear_missing_projects(connection_id, within)
        return reading

    try:
        try:
            reading = read(scope)
        except RequestRejected:   # a project or epic of the part is gone: as in a whole pass
            narrowed = narrowed_after_refusal(connection_id, connector, scope)
            if narrowed is None:
                raise
            reading = read(narrowed)
            counts.projects_missing = missing_projects(scope, narrowed)
        mine(connection_id, connector, reading.changed, counts)
    finally:
        connector.close()
    counts.seconds_items = round(time.perf_counter() - started, 3)
    return reading.cursor, reading.rescope


def finish_split(connection_id: int, split_id: str) -> PassCounts | None:
    """After every part: deletion check, scopes, the recount once, cursor, outcome, lock released."""
    with job_session() as session:
        record = (sync_state(session, connection_id).last_counts or {}).get(SPLIT)
        if not record or record["id"] != split_id:
            return None
    lock = PassLock.held(connection_id, split_id, datetime.fromisoformat(record["started"]))
    parts = record["parts"].values()
    failed = [p["error"] for p in parts if p["state"] != DONE]
    counts = _summed(parts)
    try:
        _finish(connection_id, record, counts, complete=not failed)
    except Exception as exc:
        failed.append(f"{type(exc).__name__}: {exc}")
    finally:   # the outcome replaces the counts, the split's record with them
        record_outcome(connection_id, record["full"], counts, "; ".join(map(str, failed))[:4000] or None)
        lock.release()
    return counts


def _finish(connection_id: int, record: dict, counts: PassCounts, complete: bool) -> None:
    started = time.perf_counter()
    full = record["full"]
    with job_session() as session:
        connection = session.get(Connection, connection_id)
        links = PassLinks.load(session, connection_id)
        state = PassState(newest_first=tracker(connection.tracker).newest_first, recheck_all=full)
        connector = connector_for(connection)
    try:
        rescope = {tuple(pair) for p in record["parts"].values() for pair in p.get("rescope") or ()}
        if full:
            rescope = set(links.tracker_scopes)
            if complete:   # a part that failed read nothing to its end: its items are not gone
                read_from = datetime.fromisoformat(record["started"])
                counts.deleted = confirm_vanished(connection_id, connector, state, links, read_from,
                                                   counts)
        counts.scopes_resolved = resolve_scopes(connection_id, connector, links.tracker_links,
                                                rescope)
        counts.seconds_items += round(time.perf_counter() - started, 3)
        recounting = time.perf_counter()
        counts.key_results_recounted, counts.key_results_moved = recount_pending(connection_id)
        counts.seconds_recount = round(time.perf_counter() - recounting, 3)
        if complete:
            _advance_cursor(connection_id, record)
        if full:
            from sync.mirror.mirrors import mirror_missing

            counts.mirrors_created = mirror_missing(connection_id, connector=connector)
    finally:
        connector.close()


def _summed(parts) -> PassCounts:
    """The parts' counts added up (their reading times: the longest part)."""
    counts = PassCounts()
    for part in parts:
        theirs = part.get("counts") or {}
        for name in SUMMED:
            setattr(counts, name, getattr(counts, name) + theirs.get(name, 0))
        counts.seconds_items = max(counts.seconds_items, theirs.get("seconds_items", 0.0))
        counts.projects_missing = sorted({*counts.projects_missing, *theirs.get("projects_missing", [])})
    return counts


def _advance_cursor(connection_id: int, record: dict) -> None:
    """The connection's cursor moves to the oldest newest-time the parts read (parts that read
    nothing do not hold it back): no part's items after it were missed."""
    reached = [datetime.fromisoformat(p["cursor"]) for p in record["parts"].values() if p.get("cursor")]
    if not reached:
        return
    with job_session() as session:
        state = locked_sync_state(session, connection_id)
        if state.cursor is None or min(reached) > state.cursor:
            state.cursor = min(reached)
