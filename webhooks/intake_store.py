"""Storing deliveries by group commit: the rows of requests arriving together in one INSERT, and
each request answered only once its row is committed; their ids are handed off after that, off
the request path (plumbing/handoff_pusher.py). Requests on an event loop (`okrsync serve`,
okrsync/intake_asgi.py) await loop_intake_writer(); request threads (a WSGI server, the test
client) meet in intake_writer(). Both write their batches with _store_batch.

On the request path nearly all the time went to the INSERT's round trip and commit, then the
RPUSH's: a batch pays the first once, and no request waits for the second. A row stored already
(its dedupe key, also twice in one batch) comes back as None. A row the store refuses alone (a
connection deleted meanwhile) is retried on its own so the rest of its batch is not refused with
it; a store that is down refuses them all.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from flask import Flask, current_app
from sqlalchemy import LargeBinary, bindparam, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from okr_core.models.base import UTCDateTime
from plumbing.db import execute_alone
from plumbing.group_commit import Arrival, GroupCommit
from plumbing.handoff_pusher import hand_off_committed
from plumbing.loop_group_commit import LoopGroupCommit

MAX_BATCH = 100   # rows in one INSERT: 800 parameters, far below both stores' limits
# One INSERT at a time per process, on both stores: the requests that arrive while it runs go
# together in the next. Two at once on PostgreSQL (a request that missed a batch need not wait
# for it) cut no latency worth having (p99 at 200/s: 3.7 against 4.3 ms) and made batches
# smaller: under wrk, 1.05 + 0.27 ms of CPU per delivery (gunicorn + PostgreSQL) against 1.00 +
# 0.22 with one (issue 14). SQLite writes one at a time anyway.
# How long a write waits for the deliveries being verified in this process meanwhile (group
# commit's gathering): each INSERT costs PostgreSQL about 0.3 ms of CPU however few its rows, and
# psycopg about 0.2 ms, so a busy process writes several rows in one (issue 14).
GATHER_SECONDS = 0.002
COLUMNS = ("connection_id", "dedupe_key", "event_type", "body", "state", "attempts",
           "received_at", "enqueued_at")
TYPED = {"body": LargeBinary(), "received_at": UTCDateTime(), "enqueued_at": UTCDateTime()}


class StoreUnavailable(Exception):
    """The database did not answer; the tracker must retry."""


def intake_writer() -> GroupCommit:
    """The app's group commit of delivery rows for request threads (made on first use)."""
    writer = current_app.extensions.get("okrsync.intake_writer")
    if writer is None:
        writer = current_app.extensions.setdefault(
            "okrsync.intake_writer", GroupCommit(_store_batch, MAX_BATCH, 1, GATHER_SECONDS))
    return writer


def loop_intake_writer(app: Flask) -> LoopGroupCommit:
    """The app's group commit of delivery rows for an event loop (the ASGI front): each batch
    written by _store_batch, as intake_writer() writes them, on a thread of its own."""
    writer = app.extensions.get("okrsync.loop_intake_writer")
    if writer is None:
        def store_batch(batch: Sequence[dict]) -> list:
            with app.app_context():
                return _store_batch(batch)

        writer = app.extensions.setdefault(
            "okrsync.loop_intake_writer", LoopGroupCommit(store_batch, MAX_BATCH, "intake-writer"))
    return writer


def store_delivery(values: dict, arrival: Arrival | None = None) -> int | None:
    """Commit one delivery row (its COLUMNS) and hand it off when it is to be processed (it has
    `enqueued_at`); its id, or None when its dedupe key is stored already. Raises StoreUnavailable.
    `arrival`: the row's announcement to intake_writer(), when it was announced.
    """
    return stored_id((arrival or intake_writer()).submit(values))


async def store_delivery_on_loop(app: Flask, values: dict) -> int | None:
    """store_delivery for a request answered on an event loop (okrsync/intake_asgi.py)."""
    return stored_id(await loop_intake_writer(app).submit(values))


def stored_id(outcome) -> int | None:
    """A row's outcome of _store_batch as store_delivery answers it."""
    if isinstance(outcome, StoreUnavailable):
        raise outcome
    return outcome


def _store_batch(batch: Sequence[dict]) -> list:
    """Per row of the batch: its id, None (a duplicate) or StoreUnavailable."""
    first_of: dict[tuple, int] = {}
    for index, values in enumerate(batch):
        first_of.setdefault((values["connection_id"], values["dedupe_key"]), index)
    unique = sorted(first_of.values())
    try:
        ids = _insert([batch[index] for index in unique])
        outcomes = [ids.get(_key(batch[index])) for index in unique]
    except SQLAlchemyError as exc:
        if len(unique) == 1 or not _refused_rows(exc):
            outcomes = [StoreUnavailable(type(exc).__name__)] * len(unique)
        else:
            outcomes = [_insert_alone(batch[index]) for index in unique]
    stored = dict(zip(unique, outcomes))
    hand_off_committed([outcome for index, outcome in stored.items()
                        if isinstance(outcome, int) and batch[index]["enqueued_at"] is not None])
    # A later copy of a key in the same batch is a duplicate of the first, whatever became of it.
    return [stored[index] if index in stored else _copy_outcome(stored[first_of[_key(values)]])
            for index, values in enumerate(batch)]


def _copy_outcome(first):
    return first if isinstance(first, StoreUnavailable) else None


def _key(values: dict) -> tuple:
    return values["connection_id"], values["dedupe_key"]


def _insert(rows: list[dict]) -> dict[tuple, int]:
    """One INSERT of `rows`, ON CONFLICT DO NOTHING: the ids of those stored, by key."""
    params = {f"{column}_{index}": values[column]
              for index, values in enumerate(rows) for column in COLUMNS}
    # Safe to repeat (ON CONFLICT DO NOTHING); a repeat after a lost commit answers
    # "duplicate" and the sweeper hands the delivery over once its stamp is stale.
    returned = execute_alone(_insert_statement(len(rows)), params)
    return {(connection_id, key): delivery_id for delivery_id, connection_id, key in returned}


def _insert_alone(values: dict):
    try:
        return _insert([values]).get(_key(values))
    except SQLAlchemyError as exc:
        return StoreUnavailable(type(exc).__name__)


def _refused_rows(exc: SQLAlchemyError) -> bool:
    """Whether the store refused what was sent (a row's fault) rather than being unreachable."""
    return (isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError)
            and not exc.connection_invalidated)


@lru_cache(maxsize=MAX_BATCH)
def _insert_statement(rows: int):
    """The INSERT of `rows` rows: one textual statement per batch size, built and compiled once
    (SQLAlchemy cannot cache the dialects' on-conflict insert constructs)."""
    values = ", ".join("(" + ", ".join(f":{column}_{index}" for column in COLUMNS) + ")"
                       for index in range(rows))
    statement = text(
        f"INSERT INTO deliveries ({', '.join(COLUMNS)}) VALUES {values}"
        " ON CONFLICT (connection_id, dedupe_key) DO NOTHING"
        " RETURNING id, connection_id, dedupe_key")
    return statement.bindparams(*(bindparam(f"{column}_{index}", type_=type_)
                                  for index in range(rows) for column, type_ in TYPED.items()))
