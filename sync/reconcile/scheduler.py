"""When reconcile passes run: each connection every `reconcile_minutes` (default 10).

With Redis, a tick job re-schedules itself through RQ's scheduler (`Queue.enqueue_at`, run by the
`with_scheduler` worker); embedded, a timer thread ticks. Each tick queues the passes that are due.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone

from flask import Flask, current_app
from sqlalchemy import select

from okr_core.connection_settings import ConnectionSettings
from okr_core.models import Connection, SyncState
from plumbing.db import job_session
from plumbing.queue import DEFAULT_QUEUE, NO_RETRY, QueueUnavailable, enqueue
from sync.reconcile.lock import LOCK_SECONDS as PASS_TIMEOUT   # a pass may run as long as its lock

log = logging.getLogger("okrsync.sync.scheduler")
TICK_SECONDS = 60


def reconcile_minutes(settings: dict | None) -> int:
    """The admin's interval for a connection, at least one minute; 0 turns scheduled passes off."""
    minutes = ConnectionSettings.from_stored(settings).reconcile_minutes
    return 0 if minutes <= 0 else max(1, minutes)


def due_connections(now: datetime) -> list[int]:
    """Connections whose last pass started longer ago than their interval (or never ran)."""
    with job_session() as session:
        rows = session.execute(select(Connection.id, Connection.settings, SyncState.last_started_at)
                               .outerjoin(SyncState, SyncState.connection_id == Connection.id)
                               .order_by(Connection.id)).all()
    return [row.id for row in rows if reconcile_minutes(row.settings) and (
        row.last_started_at is None
        or now - row.last_started_at >= timedelta(minutes=reconcile_minutes(row.settings)))]


def scheduler_queue() -> str:
    """The queue ticks and scheduled passes go to (`RECONCILE_QUEUE` in the app config)."""
    return current_app.config.get("RECONCILE_QUEUE", DEFAULT_QUEUE)


def queue_due_passes(now: datetime | None = None) -> list[int]:
    """Queue an incremental pass for every due connection; the ids queued."""
    now = now or datetime.now(timezone.utc)
    queued = []
    for connection_id in due_connections(now):
        slot = int(now.timestamp()) // TICK_SECONDS
        try:
            # A pass that is late is simply picked up by the next tick: no retries.
            if enqueue("reconcile", connection_id, False, job_id=f"reconcile-{connection_id}-{slot}",
                       queue=scheduler_queue(), retry=NO_RETRY, timeout=PASS_TIMEOUT):
                queued.append(connection_id)
        except QueueUnavailable as exc:
            log.warning("sync.scheduler.unqueued", extra={"connection_id": connection_id, "error": str(exc)})
    return queued


def scheduled_work() -> None:
    """Everything a tick starts: due reconcile passes, scheduled insight, check-in drafts,
    reminders and digests."""
    from sync.analysis.insight_schedule import queue_due_insights
    from sync.checkins.drafts import queue_due_drafts
    from sync.notify.jobs import queue_due_notifications

    queue_due_passes()
    try:
        queue_due_insights()
    except QueueUnavailable as exc:
        log.warning("sync.scheduler.insight-unqueued", extra={"error": str(exc)})
    try:
        queue_due_drafts(scheduler_queue())
    except QueueUnavailable as exc:
        log.warning("sync.scheduler.drafts-unqueued", extra={"error": str(exc)})
    try:
        queue_due_notifications()
    except Exception:   # reminders must never stop reconcile ticks; the next tick tries again
        log.exception("sync.scheduler.notify-failed")


def reconcile_tick() -> None:
    """RQ job: queue the due passes and scheduled insight, then schedule the next tick."""
    scheduled_work()
    schedule_next_tick()


def schedule_next_tick(redis=None) -> str:
    """Put the next tick in RQ's scheduled registry; one id per slot, so restarts do not fork chains."""
    from rq import Queue

    redis = redis or current_app.extensions["okrsync.queue"].connection
    slot = int(datetime.now(timezone.utc).timestamp()) // TICK_SECONDS + 1
    at = datetime.fromtimestamp(slot * TICK_SECONDS, timezone.utc)
    job = Queue(scheduler_queue(), connection=redis).enqueue_at(
        at, reconcile_tick, job_id=f"okrsync-reconcile-tick-{slot}", result_ttl=600, failure_ttl=86400)
    return job.id


class EmbeddedScheduler:
    """A daemon thread that ticks inside an app context until stopped."""

    def __init__(self, app: Flask, tick_seconds: float = TICK_SECONDS):
        self._app, self._tick = app, tick_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="okrsync-scheduler")

    def start(self) -> "EmbeddedScheduler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._tick):
            try:
                with self._app.app_context():
                    scheduled_work()
            except Exception:   # one failed tick must not end scheduling; the next tick retries
                log.exception("sync.scheduler.tick-failed")


def start_scheduling(app: Flask) -> EmbeddedScheduler | None:
    """Start periodic reconcile: the RQ tick chain with Redis, else the embedded timer thread."""
    if app.config["SETTINGS"].redis_url:
        with app.app_context():
            schedule_next_tick()
        return None
    return EmbeddedScheduler(app).start()
