"""Re-queue deliveries that were stored but never processed: Redis was down or a worker died."""
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
from plumbing.handoff import enqueue_delivery
from plumbing.queue import QueueUnavailable

log = logging.getLogger("okrsync.sync.sweeper")

SWEEP_INTERVAL_SECONDS = 30.0
STALE_AFTER_SECONDS = 60.0
SWEEP_BATCH = 500


def sweep(stale_after: float | None = None, now: datetime | None = None) -> int:
    """Queue pending deliveries never handed over or handed over too long ago; how many."""
    now = now or datetime.now(timezone.utc)
    stale_after = stale_after if stale_after is not None else sweep_setting(
        "OKRSYNC_SWEEP_STALE_AFTER", STALE_AFTER_SECONDS)
    cutoff = now - timedelta(seconds=stale_after)
    with job_session() as session:
        ids = session.scalars(select(Delivery.id).where(
            Delivery.state == DeliveryState.PENDING.value,
            or_(Delivery.enqueued_at.is_(None), Delivery.enqueued_at < cutoff),
        ).order_by(Delivery.id).limit(SWEEP_BATCH)).all()
    stamp = int(now.timestamp())
    queued = requeue(ids, lambda delivery_id: f"delivery-{delivery_id}-swept-{stamp}", now)
    if ids:
        log.info("sweeper.requeued", extra={"found": len(ids), "queued": len(queued)})
    return len(queued)


def retry_failed_deliveries(connection_id: int | None = None, delivery_ids: list[int] | None = None,
                            label: str = "retry") -> int:
    """Give failed deliveries (retries used up) another round of attempts; how many queued.

    All of them, or a connection's, or just `delivery_ids` (the admin's button); `label` goes
    into the fresh job ids.
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
    stamp = int(now.timestamp())
    return len(requeue(ids, lambda delivery_id: f"delivery-{delivery_id}-{label}-{stamp}", now))


def requeue(ids: list[int], job_id_for, now: datetime) -> list[int]:
    """Enqueue each delivery and stamp enqueued_at on those the queue took; stops if it is down."""
    queued = []
    for delivery_id in ids:
        try:
            # A fresh job id: RQ keeps finished and dead jobs' ids and would refuse the old one.
            enqueue_delivery(delivery_id, job_id_for(delivery_id))
        except QueueUnavailable as exc:
            log.warning("sweeper.queue-unavailable", extra={"error": str(exc)})
            break
        queued.append(delivery_id)
    if queued:
        with job_session() as session:
            session.execute(update(Delivery).values(enqueued_at=now).where(
                Delivery.id.in_(queued), Delivery.state == DeliveryState.PENDING.value))
    return queued


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
