"""Serialise mirror work on one objective tree, so two jobs never both create its epic or initiative."""
from __future__ import annotations

import secrets
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from flask import current_app

LOCK_SECONDS = 120
WAIT_SECONDS = 60.0
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
# Embedded mode is one process (okrsync serve enforces it), so a process lock is enough there.
_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


class MirrorBusy(RuntimeError):
    """Another job held the objective tree for longer than we were willing to wait."""


@contextmanager
def mirror_lock(connection_id: int, objective_id: int) -> Iterator[None]:
    """Hold the mirrors of one objective (and its KRs) on one connection."""
    key = f"okrsync:mirror-lock:{connection_id}:{objective_id}"
    url = current_app.config["SETTINGS"].redis_url
    if url:
        with _redis_lock(url, key):
            yield
        return
    with _local_guard:
        lock = _local_locks.setdefault(key, threading.Lock())
    if not lock.acquire(timeout=WAIT_SECONDS):
        raise MirrorBusy(key)
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _redis_lock(url: str, key: str) -> Iterator[None]:
    from redis import Redis

    redis, token = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5), secrets.token_hex(16)
    deadline = time.monotonic() + WAIT_SECONDS
    while not redis.set(key, token, nx=True, ex=LOCK_SECONDS):
        if time.monotonic() > deadline:
            raise MirrorBusy(key)
        time.sleep(0.05)
    try:
        yield
    finally:
        redis.eval(_RELEASE, 1, key, token)
        redis.close()
