"""Queue deliveries that were stored but never processed: Redis was down or a worker died.

Sweeps are idempotent: a delivery whose job (`delivery-<id>`, or the deferred one its stamp
names) is still queued, scheduled or running, or whose id waits in the hand-off list, is not
queued again however old its stamp, so an overloaded queue does not grow with sweeps. Such a
delivery is stamped as seen, so each sweep looks further through the backlog.
"""
from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timedelta, timezone

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from okr_core.delivery_state import DeliveryState, mark_retried
from okr_core.models import Delivery
from plumbing.db import job_session
from plumbing.handoff import (
    DELIVERY_RETRY, deferred_job_id, delivery_job_id, handed_off_ids,
)
from plumbing.queue import QueueUnavailable, get_queue, rerun

log = logging.getLogger("okrsync.sync.sweeper")

SWEEP_INTERVAL_SECONDS = 30.0
STALE_AFTER_SECONDS = 60.0
SWEEP_BATCH = 500


def sweep(stale_after: float | None = None, now: datetime | None = None) -> int:
    """Queue pending deliveries never handed over, or handed over long ago and since lost; how
    many were queued."""
    now = now or datetime.now(timezone.utc)
    stale_after = stale_after if stale_after is not None else sweep_setting(
        "OKRSYNC_SWEEP_STALE_AFTER", STALE_AFTER_SECONDS)
    cutoff = now - timedelta(seconds=stale_after)
    with job_session() as session:
        rows = session.execute(select(Delivery.id, Delivery.enqueued_at).where(
            Delivery.state == DeliveryState.PENDING.value,
            or_(Delivery.enqueued_at.is_(None), Delivery.enqueued_at < cutoff),
        ).order_by(Delivery.id).limit(SWEEP_BATCH)).all()
    if not rows:
        return 0
    try:
        waiting = _still_waiting(rows, stale_after)
    except QueueUnavailable as exc:
        log.warning("sweeper.queue-unavailable", extra={"error": str(exc)})
        return 0
    queued = requeue([delivery_id for delivery_id, _ in rows if delivery_id not in waiting], now,
                     stale_after)
    _stamp([delivery_id for delivery_id, deferred in waiting.items() if not deferred], now)
    log.info("sweeper.swept", extra={"found": len(rows), "queued": len(queued),
                                     "still_waiting": len(waiting)})
    return len(queued)


def _still_waiting(rows, silent_after: float) -> dict[int, bool]:
    """Of the rows, those the queue will still run: id -> whether it is their deferred job
    (whose id their stamp names, so that stamp is kept). A started job silent for
    `silent_after` seconds is not running (its worker was killed)."""
    queue, handed_off = get_queue(), handed_off_ids()
    waiting = {}
    for delivery_id, stamp in rows:
        if delivery_id in handed_off or queue.is_pending(delivery_job_id(delivery_id),
                                                         silent_after):
            waiting[delivery_id] = False
        elif stamp is not None and queue.is_pending(deferred_job_id(delivery_id, stamp),
                                                    silent_after):
            waiting[delivery_id] = True
    return waiting


def retry_failed_deliveries(connection_id: int | None = None,
                            delivery_ids: list[int] | None = None) -> int:
    """Give failed deliveries (retries used up) another round of attempts; how many queued.

    All of them, or a connection's, or just `delivery_ids` (the admin's button).
    """
    now = datetime.now(timezone.utc)
    with job_session() as session:
        query = select(Delivery).where(Delivery.state == DeliveryState.FAILED.value).with_for_update()
        if connection_id is not None:
            query = query.where(Delivery.connection_id == connection_id)
        if delivery_ids is not None:
            query = query.where(Delivery.id.in_(delivery_ids))
        rows = session.scalars(query.order_by(Delivery.id)).all()
        for row in rows:
            mark_retried(row)
        ids = [row.id for row in rows]
    return len(requeue(ids, now))


def requeue(ids: list[int], now: datetime,
            silent_after: float = STALE_AFTER_SECONDS) -> list[int]:
    """Queue each delivery's job (`delivery-<id>`, replacing an ended one; none when one is
    pending) and stamp those queued; stops if the queue is down. The ids queued."""
    queued = []
    for delivery_id in ids:
        try:
            if rerun("process_delivery", delivery_id, job_id=delivery_job_id(delivery_id),
                     retry=DELIVERY_RETRY, silent_after=silent_after) is not None:
                queued.append(delivery_id)
        except QueueUnavailable as exc:
            log.warning("sweeper.queue-unavailable", extra={"error": str(exc)})
            break
    _stamp(queued, now)
    return queued


def _stamp(ids: list[int], now: datetime) -> None:
    """Note the deliveries as handed over (or seen waiting) at `now`."""
    if ids:
        with job_session() as session:
            session.execute(update(Delivery).values(enqueued_at=now).where(
                Delivery.id.in_(ids), Delivery.state == DeliveryState.PENDING.value))


def sweep_setting(name: str, default: float) -> float:
    """A sweeper timing from the environment (tests shorten them), else the default."""
    return float(os.environ.get(name) or default)


def run_sweeper(app: Flask, stop: threading.Event, interval: float) -> None:
    """Sweep now and then every `interval` seconds inside the app, until `stop` is set."""
    while True:
        try:
            with app.app_context():
                sweep()
        except SQLAlchemyError as exc:
            # The database is down: keep looping, the next round tries again.
            log.warning("sweeper.database-unavailable", extra={"error": type(exc).__name__})
        if stop.wait(interval):
            return


def start_sweeper_thread(app: Flask) -> threading.Event:
    """Run the sweeper on a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    interval = sweep_setting("OKRSYNC_SWEEP_INTERVAL", SWEEP_INTERVAL_SECONDS)
    threading.Thread(target=run_sweeper, args=(app, stop, interval), daemon=True,
                     name="okrsync-sweeper").start()
    app.extensions["okrsync.sweeper_stop"] = stop
    return stop
