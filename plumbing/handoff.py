"""Hand stored deliveries over to be processed: one RPUSH per intake batch, RQ jobs off it.

The delivery row is the source of truth. Webhook intake pushes the ids of stored deliveries onto
a Redis list; the dispatcher in `okrsync worker` pops the ids and queues each delivery's RQ job
(`delivery-<id>`). An id lost on the way (Redis down, a worker killed between pop and enqueue) is
still a pending row stamped as handed over, so the sweeper queues it once that stamp is stale.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime

from flask import Flask
from redis.exceptions import RedisError

from plumbing.queue import QueueUnavailable, RedisQueue, RetryPolicy, enqueue, get_queue

log = logging.getLogger("okrsync.sync.handoff")

HANDOFF_KEY = "okrsync:deliveries"
DISPATCH_BATCH = 200
WAIT_SECONDS = 1.0   # how long one BLPOP waits; below the Redis client's socket timeout
DELIVERY_RETRY = RetryPolicy(max=3, intervals=(5, 30, 120))


def delivery_job_id(delivery_id: int) -> str:
    """The one job id of a delivery's processing: hand-off, sweeper and retries all use it."""
    return f"delivery-{delivery_id}"


def deferred_job_id(delivery_id: int, at: datetime) -> str:
    """The job of a delivery deferred to `at` (its tracker failed or is waited for): named by the
    time, which is also stored as its enqueued_at, so repeated deferrals to it queue one job."""
    return f"delivery-{delivery_id}-at-{int(at.timestamp())}"


def handed_off_ids() -> set[int]:
    """The ids waiting in the hand-off list for the dispatcher (none without Redis)."""
    queue = get_queue()
    if not isinstance(queue, RedisQueue):
        return set()
    try:
        return {int(raw) for raw in queue.connection.lrange(HANDOFF_KEY, 0, -1) if raw.isdigit()}
    except RedisError as exc:
        raise QueueUnavailable(str(exc)) from exc


def enqueue_delivery(delivery_id: int, job_id: str) -> str | None:
    """Queue the delivery job; raises QueueUnavailable when the queue cannot take it."""
    return enqueue("process_delivery", delivery_id, job_id=job_id, retry=DELIVERY_RETRY)


def hand_off_deliveries(delivery_ids: list[int]) -> None:
    """Pass stored deliveries on; raises QueueUnavailable when the queue cannot take them.

    With Redis: one RPUSH of all their ids. Embedded (no Redis): their jobs are queued on this
    process's threads.
    """
    if not delivery_ids:
        return
    queue = get_queue()
    if not isinstance(queue, RedisQueue):
        for delivery_id in delivery_ids:
            enqueue_delivery(delivery_id, delivery_job_id(delivery_id))
        return
    try:
        queue.connection.rpush(HANDOFF_KEY, *delivery_ids)
    except RedisError as exc:
        raise QueueUnavailable(str(exc)) from exc


def dispatch_handed_off(app: Flask, wait: float = 0.0) -> int:
    """Queue the RQ jobs of up to DISPATCH_BATCH handed-off deliveries; how many were popped.

    Waits up to `wait` seconds for the first id when the list is empty (0: do not wait).
    """
    with app.app_context():
        connection = get_queue().connection
        popped = connection.lpop(HANDOFF_KEY, DISPATCH_BATCH) or []
        if not popped and wait > 0:
            first = connection.blpop([HANDOFF_KEY], timeout=wait)
            popped = [first[1]] if first else []
        for raw in popped:
            if not raw.isdigit():
                log.warning("handoff.not-a-delivery-id", extra={"value": repr(raw[:40])})
                continue
            # A duplicate id (already queued or run) is refused by RQ: the job id is unique.
            enqueue_delivery(int(raw), delivery_job_id(int(raw)))
    return len(popped)


def dispatch_all(app: Flask) -> int:
    """Dispatch until the list is empty (burst workers, tests); how many ids were popped."""
    total = 0
    while popped := dispatch_handed_off(app):
        total += popped
    return total


def run_dispatcher(app: Flask, stop: threading.Event) -> None:
    """Dispatch handed-off deliveries as they come, until `stop` is set."""
    while not stop.is_set():
        try:
            dispatch_handed_off(app, wait=WAIT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - the thread must outlive any one failure
            # Ids popped but not queued are left to the sweeper; try again shortly.
            log.warning("handoff.dispatch-failed", extra={"error": f"{type(exc).__name__}: {exc}"})
            stop.wait(WAIT_SECONDS)


def start_dispatcher_thread(app: Flask) -> threading.Event:
    """Run the dispatcher on a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=run_dispatcher, args=(app, stop), daemon=True,
                     name="okrsync-dispatcher").start()
    return stop
