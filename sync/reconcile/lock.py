"""One reconcile pass per connection at a time: a Redis key when Redis is configured, a row claim otherwise."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterator

from flask import current_app
from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session

from okr_core.models import SyncState
from plumbing.db import job_session
from sync.ingest.apply import sync_state

LOCK_SECONDS = 30 * 60   # a pass that died without releasing frees its connection after this
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_EXTEND = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
           "return redis.call('expire', KEYS[1], ARGV[2]) end return 0")


class PassAlreadyRunning(RuntimeError):
    """Another reconcile pass holds this connection."""


def _redis():
    from redis import Redis

    url = current_app.config["SETTINGS"].redis_url
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5) if url else None


def lock_key(connection_id: int) -> str:
    return f"okrsync:reconcile-lock:{connection_id}"


def _running_clause(now: datetime):
    started = SyncState.last_started_at
    return and_(started.is_not(None), started > now - timedelta(seconds=LOCK_SECONDS),
                or_(SyncState.last_finished_at.is_(None), SyncState.last_finished_at < started))


def _claim_row(session: Session, connection_id: int, now: datetime) -> bool:
    """Mark the pass started unless one is running; the UPDATE's WHERE makes it atomic."""
    sync_state(session, connection_id)
    claimed = session.execute(update(SyncState).where(
        SyncState.connection_id == connection_id, ~_running_clause(now))
        .values(last_started_at=now).execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def is_running(connection_id: int, session: Session) -> bool:
    """True while a pass holds the connection (read through the caller's session)."""
    redis = _redis()
    if redis is not None:
        return bool(redis.exists(lock_key(connection_id)))
    state = session.get(SyncState, connection_id, populate_existing=True)
    return state is not None and _is_held(state, datetime.now(timezone.utc))


def _is_held(state: SyncState, now: datetime) -> bool:
    started, finished = state.last_started_at, state.last_finished_at
    return (started is not None and started > now - timedelta(seconds=LOCK_SECONDS)
            and (finished is None or finished < started))


class PassLock:
    """A held lock; `extend()` keeps a long pass's Redis key alive, `release()` frees the connection.

    A split pass (sync.reconcile.split) takes it in one job and releases it in another: `held`
    rebuilds it there from the token and start time the split stored."""

    def __init__(self, connection_id: int, redis, token: str, started: datetime):
        self.connection_id, self.token, self.started = connection_id, token, started
        self._redis, self._key = redis, lock_key(connection_id)

    @classmethod
    def held(cls, connection_id: int, token: str, started: datetime) -> "PassLock":
        return cls(connection_id, _redis(), token, started)

    def extend(self) -> None:
        if self._redis is not None:
            self._redis.eval(_EXTEND, 1, self._key, self.token, LOCK_SECONDS)

    def release(self) -> None:
        with job_session() as session:
            state = sync_state(session, self.connection_id)
            state.last_finished_at = max(datetime.now(timezone.utc), self.started + timedelta(microseconds=1))
        if self._redis is not None:
            self._redis.eval(_RELEASE, 1, self._key, self.token)


def acquire_pass_lock(connection_id: int) -> PassLock:
    """Hold the connection for one pass, or raise PassAlreadyRunning."""
    redis, token, now = _redis(), secrets.token_hex(16), datetime.now(timezone.utc)
    if redis is not None:
        if not redis.set(lock_key(connection_id), token, nx=True, ex=LOCK_SECONDS):
            raise PassAlreadyRunning(f"a reconcile pass of connection {connection_id} is running")
        with job_session() as session:
            sync_state(session, connection_id).last_started_at = now
    else:
        with job_session() as session:
            if not _claim_row(session, connection_id, now):
                raise PassAlreadyRunning(f"a reconcile pass of connection {connection_id} is running")
    return PassLock(connection_id, redis, token, now)


@contextmanager
def pass_lock(connection_id: int) -> Iterator[PassLock]:
    """Hold the connection for one pass, or raise PassAlreadyRunning."""
    lock = acquire_pass_lock(connection_id)
    try:
        yield lock
    finally:
        lock.release()
