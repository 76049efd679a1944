"""Per-connection tracker health: failures in a row push the connection's next try back.

A job never sleeps on a tracker. A transient failure (5xx, timeout, refused connection, 429)
is recorded on the connection, whose next try moves back exponentially; the connection's jobs
are re-queued for then, while other connections' jobs run. After DEGRADED_AFTER failures in a
row the connection is shown as degraded (/admin, the sync page, /readyz detail); one job at a
time probes it, and the first success clears it.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, TypeVar

from sqlalchemy import or_, select, update

from connector.errors import RateLimited, RetriesExhausted, TrackerUnavailable
from okr_core.models import ConnectionHealth
from okr_core.store import insert_if_absent
from plumbing.db import job_session

log = logging.getLogger("okrsync.sync.health")
T = TypeVar("T")

DEGRADED_AFTER = 3                    # failures in a row
BACKOFF_SECONDS = (5, 15, 45, 120, 300)
PROBE_WINDOW = timedelta(seconds=10)  # how long one probing job holds the others back


# What a job re-queues for instead of failing: the tracker may well answer later.
TRANSIENT_TRACKER_ERRORS = (RetriesExhausted, TrackerUnavailable, RateLimited)


def retry_after_of(error: Exception) -> float | None:
    """The wait a 429 named (Retry-After), if the failure was one."""
    cause = error.__cause__ if isinstance(error, RetriesExhausted) else error
    return cause.retry_after if isinstance(cause, RateLimited) else None


class TrackerWait(Exception):
    """The job must not call this tracker now: re-queue it `seconds` from now."""

    def __init__(self, seconds: float, error: Exception | None = None):
        super().__init__(f"tracker unavailable, try again in {seconds:.0f} s")
        self.seconds, self.error = seconds, error


def call_tracker(connection_id: int, operation: Callable[[], T]) -> T:
    """Run a tracker call for a job: TrackerWait instead of calling a tracker that is waited
    for, or when the call fails transiently (recorded); a success clears the connection."""
    wait = seconds_until_tryable(connection_id)
    if wait:
        raise TrackerWait(wait)
    try:
        result = operation()
    except TRANSIENT_TRACKER_ERRORS as exc:
        raise TrackerWait(record_failure(connection_id, exc, retry_after_of(exc)), exc) from exc
    record_success(connection_id)
    return result


@dataclass(frozen=True)
class HealthView:
    """What pages and /readyz show about one connection."""

    connection_id: int
    consecutive_failures: int
    failing_since: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None

    @property
    def degraded(self) -> bool:
        return self.consecutive_failures >= DEGRADED_AFTER


def backoff_after(failures: int) -> float:
    """Seconds to wait after `failures` transient failures in a row."""
    steps = _backoff_steps()
    return steps[min(max(failures, 1), len(steps)) - 1]


def _backoff_steps() -> tuple[float, ...]:
    """BACKOFF_SECONDS, or OKRSYNC_TRACKER_BACKOFF (comma-separated seconds; tests shorten it)."""
    raw = os.environ.get("OKRSYNC_TRACKER_BACKOFF", "")
    try:
        steps = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError:
        steps = ()
    return steps or tuple(float(s) for s in BACKOFF_SECONDS)


def degraded_connection_ids(session) -> list[int]:
    """Connections whose tracker failed DEGRADED_AFTER times in a row or more."""
    return list(session.scalars(select(ConnectionHealth.connection_id).where(
        ConnectionHealth.consecutive_failures >= DEGRADED_AFTER)
        .order_by(ConnectionHealth.connection_id)))


def seconds_until_tryable(connection_id: int, now: datetime | None = None) -> float:
    """0 when a job may call this connection's tracker now; else how long it must wait.

    Once the wait is over one job claims the probe (moving the time on by PROBE_WINDOW), so a
    recovering tracker gets one call, not a burst of every waiting job.
    """
    now = now or datetime.now(timezone.utc)
    with job_session() as session:
        health = session.get(ConnectionHealth, connection_id)
        if health is None or health.next_attempt_at is None:
            return 0.0
        if health.next_attempt_at > now:
            return (health.next_attempt_at - now).total_seconds()
        claimed = session.execute(update(ConnectionHealth).where(
            ConnectionHealth.connection_id == connection_id,
            or_(ConnectionHealth.next_attempt_at.is_(None),
                ConnectionHealth.next_attempt_at <= now)).values(
            next_attempt_at=now + PROBE_WINDOW)).rowcount
    return 0.0 if claimed else PROBE_WINDOW.total_seconds()


def record_failure(connection_id: int, error: Exception, retry_after: float | None = None,
                   now: datetime | None = None) -> float:
    """Count a transient failure; the seconds until the connection's next try."""
    now = now or datetime.now(timezone.utc)
    with job_session() as session:
        # Jobs of one connection fail together: the first failures race to create the row, so
        # it is inserted if absent and then locked, never added twice.
        insert_if_absent(session, ConnectionHealth,
                         {"connection_id": connection_id, "consecutive_failures": 0}, ["connection_id"])
        health = session.scalars(select(ConnectionHealth).where(
            ConnectionHealth.connection_id == connection_id).with_for_update()).one()
        health.consecutive_failures += 1
        health.failing_since = health.failing_since or now
        wait = max(backoff_after(health.consecutive_failures), retry_after or 0.0)
        health.next_attempt_at = now + timedelta(seconds=wait)
        cause = error.__cause__ if isinstance(error, RetriesExhausted) and error.__cause__ \
            else error
        health.last_error = f"{type(cause).__name__}: {cause}"[:2000]
        failures = health.consecutive_failures
    key = "health.degraded" if failures >= DEGRADED_AFTER else "health.tracker-failed"
    log.warning(key, extra={"connection_id": connection_id, "failures": failures,
                            "retry_in_seconds": wait})
    return wait


def record_success(connection_id: int) -> None:
    """The tracker answered: the connection is healthy again (no write when it already was)."""
    with job_session() as session:
        # Read first: a healthy connection costs no write (and no SQLite write lock).
        health = session.get(ConnectionHealth, connection_id)
        if health is None or (not health.consecutive_failures and not health.next_attempt_at):
            return
        cleared = session.execute(update(ConnectionHealth).where(
            ConnectionHealth.connection_id == connection_id).values(
            consecutive_failures=0, failing_since=None, next_attempt_at=None)).rowcount
    if cleared:
        log.info("health.recovered", extra={"connection_id": connection_id})


def health_of(session, connection_ids=None) -> dict[int, HealthView]:
    """Health of the connections that ever failed, by connection id (pages, /readyz)."""
    query = select(ConnectionHealth)
    if connection_ids is not None:
        query = query.where(ConnectionHealth.connection_id.in_(list(connection_ids)))
    return {row.connection_id: HealthView(row.connection_id, row.consecutive_failures,
                                          row.failing_since, row.next_attempt_at, row.last_error)
            for row in session.scalars(query)}
