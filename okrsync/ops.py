"""Operational endpoints: /healthz (process up) and /readyz (database and Redis answer)."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from plumbing.db import engine
from sync.connections.tracker_health import degraded_connection_ids

bp = Blueprint("ops", __name__)
log = logging.getLogger("okrsync.ops")


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


def _database_ok() -> bool:
    try:
        with engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError as exc:
        log.warning("ops.readyz.database-down", extra={"error": type(exc).__name__})
        return False


def _redis_ok() -> bool | None:
    queue = current_app.extensions["okrsync.queue"]
    if not hasattr(queue, "ping"):
        return None
    from redis.exceptions import RedisError

    try:
        return queue.ping()
    except RedisError as exc:
        log.warning("ops.readyz.redis-down", extra={"error": type(exc).__name__})
        return False


def _degraded_connections() -> list[int]:
    """Connections whose tracker keeps failing: detail for operators, not a readiness failure
    (this process serves every other connection fine)."""
    try:
        with engine().connect() as conn:
            return degraded_connection_ids(Session(bind=conn))
    except SQLAlchemyError:
        return []   # the database check above reports it


@bp.get("/readyz")
def readyz():
    checks = {"database": _database_ok()}
    redis_state = _redis_ok()
    if redis_state is not None:
        checks["redis"] = redis_state
    ready = all(checks.values())
    return jsonify({"status": "ready" if ready else "unavailable", "checks": checks,
                    "degraded_connections": _degraded_connections() if ready else []}), \
        200 if ready else 503
