"""`okrsync worker` outlives Redis: when it goes away the worker waits, reconnects and goes on.

RQ's worker rides out a lost connection only while it waits for a job; anywhere else (a
heartbeat, maintenance, a job finishing) it logs "found an unhandled exception, quitting" and
returns, or raises from its teardown. This loop starts a fresh worker once Redis answers again.
"""
from __future__ import annotations

import logging
import signal
import time
from typing import Callable

from flask import Flask
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from plumbing.worker import make_worker

log = logging.getLogger("okrsync.worker")

FIRST_WAIT = 0.5       # seconds before the first reconnect attempt
LONGEST_WAIT = 30.0    # back-off ceiling


def work_through_outages(app: Flask, burst: bool = False, make=make_worker,
                         sleep: Callable[[float], None] = time.sleep) -> None:
    """Run RQ workers one after another until one stops on request (SIGTERM) or, in burst
    mode, runs out of jobs; after a Redis outage wait for Redis with back-off, then go on."""
    while True:
        worker = make(app)
        stop = _note_stop_requests(worker)
        try:
            worker.work(with_scheduler=True, burst=burst)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            log.warning("worker.redis-lost", extra={"error": f"{type(exc).__name__}: {exc}"})
        else:
            if burst or stop:
                return
            log.warning("worker.stopped-unexpectedly", extra={"worker": worker.name})
        wait_for_redis(app.config["SETTINGS"].redis_url, sleep)


def _note_stop_requests(worker) -> list:
    """A list that gets an entry when SIGTERM or SIGINT asks this worker to stop.

    RQ installs `worker.request_stop` as the signal handler when it starts working, and records
    the request only for a busy worker; wrapping it tells a requested stop from a lost Redis.
    """
    requests: list = []
    forward = worker.request_stop

    def request_stop(signum, frame):
        requests.append(signum)
        forward(signum, frame)
    worker.request_stop = request_stop
    return requests


def wait_for_redis(redis_url: str, sleep: Callable[[float], None] = time.sleep) -> None:
    """Ping Redis with exponential back-off until it answers; logs each attempt and the return."""
    # RQ's SIGTERM handler talks to Redis; while it is gone, a stop request just ends the process.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    client = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    wait, attempts, started = FIRST_WAIT, 0, time.monotonic()
    try:
        while True:
            sleep(wait)
            attempts += 1
            try:
                client.ping()
                break
            except RedisError as exc:
                log.warning("worker.redis-unavailable", extra={
                    "attempt": attempts, "next_wait_seconds": min(wait * 2, LONGEST_WAIT),
                    "error": type(exc).__name__})
            wait = min(wait * 2, LONGEST_WAIT)
    finally:
        client.close()
    log.warning("worker.redis-reconnected", extra={
        "attempts": attempts, "outage_seconds": round(time.monotonic() - started, 1)})
