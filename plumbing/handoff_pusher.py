"""Intake's hand-off, off the request path: the ids of committed deliveries are pushed to Redis by
one thread of the process, all the ids gathered meanwhile in one RPUSH, at most one push per
PUSH_INTERVAL.

A request is answered once its row is committed; pushing its id is not what makes it durable. An
id this thread did not push (Redis down: then the rows are unstamped for the next sweep; or the
process killed before it pushed) belongs to a pending row stamped as handed over, which the
sweeper queues once the stamp is stale. Without Redis the jobs are queued in-process at once.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time

from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from okr_core.models import Delivery
from plumbing.db import engine
from plumbing.handoff import hand_off_deliveries
from plumbing.queue import QueueUnavailable, RedisQueue, get_queue

log = logging.getLogger("okrsync.sync.handoff")

EXIT_FLUSH_SECONDS = 2.0   # how long a stopping process waits for ids not pushed yet
# The pusher waits GATHER_SECONDS after the first id (the requests answered meanwhile join it, and
# the push does not compete with their answers for the GIL), and pushes at most once per
# PUSH_INTERVAL: each push (the thread woken, an app context, a Redis round trip) costs about as
# much CPU as decoding a delivery, and pushing every few milliseconds most pushes carried one or
# two ids. So a quiet process hands an id over within GATHER_SECONDS, a busy one within
# PUSH_INTERVAL.
GATHER_SECONDS = 0.002
PUSH_INTERVAL = 0.020


def hand_off_committed(delivery_ids: list[int]) -> None:
    """Hand committed deliveries over: with Redis, soon, on this process's pusher thread."""
    if not delivery_ids:
        return
    if not isinstance(get_queue(), RedisQueue):
        push_or_unstamp(delivery_ids)
        return
    _pusher(current_app._get_current_object()).add(delivery_ids)


def wait_for_hand_offs(timeout: float = 10.0) -> bool:
    """Wait until this process has pushed every id handed to it (tests, benchmarks)."""
    pusher = current_app.extensions.get("okrsync.handoff_pusher")
    return pusher is None or pusher.flush(timeout)


def push_or_unstamp(delivery_ids: list[int]) -> None:
    """Hand the deliveries over; when the queue refuses, clear their stamps for the next sweep."""
    try:
        hand_off_deliveries(delivery_ids)
        return
    except QueueUnavailable as exc:
        log.warning("handoff.queue-unavailable",
                    extra={"delivery_ids": delivery_ids, "error": str(exc)})
    try:
        with engine().begin() as conn:
            conn.execute(update(Delivery).where(Delivery.id.in_(delivery_ids))
                         .values(enqueued_at=None))
    except SQLAlchemyError as exc:
        log.warning("handoff.unqueued-not-marked",
                    extra={"delivery_ids": delivery_ids, "error": type(exc).__name__})


def _pusher(app: Flask) -> "HandOffPusher":
    pusher = app.extensions.get("okrsync.handoff_pusher")
    if pusher is None or pusher.pid != os.getpid():   # none yet, or one inherited over a fork
        with _CREATING:
            pusher = app.extensions.get("okrsync.handoff_pusher")
            if pusher is None or pusher.pid != os.getpid():
                pusher = app.extensions["okrsync.handoff_pusher"] = HandOffPusher(app)
    return pusher


_CREATING = threading.Lock()


class HandOffPusher:
    """One daemon thread pushing the ids added since its last push, in one go."""

    def __init__(self, app: Flask):
        self.pid = os.getpid()
        self._app = app
        self._added: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        self._counts = threading.Lock()
        self._pending = 0   # ids added and not pushed (or unstamped) yet
        threading.Thread(target=self._run, daemon=True, name="okrsync-handoff").start()
        atexit.register(self.flush, EXIT_FLUSH_SECONDS)

    def add(self, delivery_ids: list[int]) -> None:
        with self._counts:
            self._pending += len(delivery_ids)
        self._added.put(delivery_ids)

    def flush(self, timeout: float) -> bool:
        """Wait until every id added so far is pushed (or unstamped); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._pending:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def _run(self) -> None:
        pushed_at = 0.0
        while True:
            batch = list(self._added.get())
            time.sleep(max(GATHER_SECONDS, pushed_at + PUSH_INTERVAL - time.monotonic()))
            pushed_at = time.monotonic()
            while not self._added.empty():
                batch += self._added.get_nowait()
            try:
                with self._app.app_context():
                    push_or_unstamp(batch)
            except Exception:  # noqa: BLE001 - the thread must outlive any one failure
                log.exception("handoff.push-failed", extra={"delivery_ids": batch})
            finally:
                with self._counts:
                    self._pending -= len(batch)
