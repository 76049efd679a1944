"""Sync routes (admins only): queue a reconcile pass of a connection, read how the last one went."""
from __future__ import annotations

import time
from datetime import datetime

from flask import Blueprint, jsonify, request
from pydantic import BaseModel

from okr_core.models import Connection
from api.auth import require_admin
from api.common import load
from api.errors import ApiError, conflict
from api.spec import route
from plumbing.db import request_session
from plumbing.queue import NO_RETRY, QueueUnavailable, enqueue

bp = Blueprint("api_sync", __name__)


class ReconcileQueuedOut(BaseModel):
    job_id: str
    connection_id: int
    full: bool


class SyncStatusOut(BaseModel):
    connection_id: int
    running: bool
    cursor: datetime | None
    last_kind: str | None
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_counts: dict
    last_error: str | None


def _full_flag() -> bool:
    raw = request.args.get("full", "false").strip().lower()
    if raw not in ("true", "false", "1", "0"):
        raise ApiError(422, "invalid_fields", "full is true or false", {"full": "true or false"})
    return raw in ("true", "1")


@route(bp, "/connections/<int:connection_id>/reconcile", "POST",
       "Queue a reconcile pass (incremental; ?full=true re-reads every item)",
       response=ReconcileQueuedOut, status=202, query={"full": "boolean"})
def queue_reconcile(connection_id: int):
    require_admin()
    full = _full_flag()
    load(Connection, connection_id, "connection")
    from sync.reconcile.lock import LOCK_SECONDS, is_running

    if is_running(connection_id, request_session()):
        raise conflict("a reconcile pass of this connection is running", "reconcile_running")
    try:
        # A large first pass runs for minutes: as long as its lock, not RQ's 180 s default.
        job_id = enqueue("reconcile", connection_id, full, retry=NO_RETRY, timeout=LOCK_SECONDS,
                         job_id=f"reconcile-{connection_id}-manual-{time.time_ns()}")
    except QueueUnavailable:
        raise ApiError(503, "queue_unavailable", "the job queue is unavailable; try again shortly")
    return jsonify(ReconcileQueuedOut(job_id=job_id, connection_id=connection_id,
                                      full=full).model_dump()), 202


@route(bp, "/connections/<int:connection_id>/sync-status", "GET",
       "The connection's cursor and its last reconcile pass", response=SyncStatusOut)
def get_sync_status(connection_id: int):
    require_admin()
    load(Connection, connection_id, "connection")
    from sync.reconcile.passes import sync_status
    from sync.reconcile.lock import LOCK_SECONDS, is_running

    status = sync_status(request_session(), connection_id)
    return jsonify({**status, "running": is_running(connection_id, request_session())})
