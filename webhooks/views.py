"""The webhook endpoints: look up, verify, parse, persist, hand off, answer (SPEC section 4)."""
from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import datetime, timezone
from typing import NamedTuple

from flask import Blueprint, current_app, request
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from config.secrets import SecretUndecryptable
from okr_core.delivery_state import arrival_state
from okr_core.domain import TrackerKind, storable_text
from okr_core.models import Connection
from plumbing.db import engine
from plumbing.services import secret_box
from webhooks.errors import DeliveryRejected
from webhooks.events import MAX_BODY_BYTES, READ_HEADERS, Delivery, parse_delivery
from webhooks.intake_store import StoreUnavailable, intake_writer, store_delivery
from webhooks.routing import is_handled

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger("okrsync.webhooks")

DEDUPE_KEY_MAX = 200   # deliveries.dedupe_key column width
EVENT_TYPE_MAX = 100   # deliveries.event_type column width
KNOWN_TRACKERS = frozenset(kind.value for kind in TrackerKind)
CONNECTION_TTL = 5.0   # seconds a connection lookup is reused (see _recent_lookup)

# Built once, at import: it runs on every delivery whose connection is not in the recent lookups.
CONNECTION_LOOKUP = select(Connection.tracker, Connection.webhook_secret_encrypted).where(
    Connection.id == bindparam("id"))


class Answer(NamedTuple):
    """What intake answers: a status and its JSON body (a response is made of it by the caller:
    the Flask route, or okrsync/intake_wsgi.py straight to WSGI)."""
    status: int
    body: bytes


def answer(status: int, code: str, message: str, **extra) -> Answer:
    """A JSON answer: {"status": ...} on success, {"error": {...}} otherwise."""
    payload = ({"status": code, **extra} if status < 300
               else {"error": {"code": code, "message": message}})
    return Answer(status, json.dumps(payload).encode())


@bp.post("/<tracker>/<int:connection_id>")
def receive(tracker: str, connection_id: int):
    """The route as Flask matches it; the app answers it before Flask (okrsync/intake_wsgi.py)."""
    answered = intake(tracker, connection_id, request)
    return current_app.response_class(answered.body, status=answered.status,
                                      mimetype="application/json")


def intake(tracker: str, connection_id: int, source) -> Answer:
    """Accept one tracker delivery; 200 only once it is durable.

    `source` is the request (Flask's, or werkzeug's outside a request context): its headers,
    content_length and stream are read. Needs an application context.
    """
    try:
        # Announced at once: a write starting while this delivery is verified waits for it.
        with intake_writer().arriving() as arrival:
            checked = check_delivery(tracker, connection_id, source)
            if isinstance(checked, Answer):
                return checked
            return stored_answer(checked, store_delivery(checked.values, arrival))
    except StoreUnavailable as exc:
        return unavailable_answer(connection_id, exc)


class Checked(NamedTuple):
    """A delivery verified and ready to store: its row (intake_store.COLUMNS) and itself."""
    values: dict
    delivery: Delivery
    handled: bool


def unavailable_answer(connection_id: int, exc: StoreUnavailable) -> Answer:
    log.error("webhooks.store-unavailable", extra={"connection_id": connection_id,
                                                   "error": str(exc)})
    return answer(503, "store-unavailable", "the store is unavailable, retry later")


def check_delivery(tracker: str, connection_id: int, source) -> Answer | Checked:
    """Everything intake does before storing: the refusal's answer, or the row to store.
    Raises StoreUnavailable when the connection cannot be looked up. Needs an app context."""
    found = _connection(tracker, connection_id)
    if found is None:
        named = tracker if tracker in KNOWN_TRACKERS else "unknown-tracker"
        log.warning(f"webhooks.{named}.unknown-connection", extra={"connection_id": connection_id})
        return answer(404, "unknown-connection", f"no {tracker} connection {connection_id}")
    body = _read_body(source)
    if body is None:
        log.warning(f"webhooks.{tracker}.body-too-large", extra={"connection_id": connection_id})
        return answer(413, "body-too-large", f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        secret = _webhook_secret(found.webhook_secret_encrypted)
    except SecretUndecryptable:
        log.error(f"webhooks.{tracker}.secret-undecryptable",
                  extra={"connection_id": connection_id})
        return answer(503, "secret-undecryptable", "the webhook secret cannot be read")
    now = current_app.config.get("WEBHOOK_CLOCK", _utcnow)()
    try:
        # Only the headers it reads: copying all of them cost more than verifying the signature.
        headers = {name: source.headers.get(name, "") for name in READ_HEADERS[tracker]}
        delivery = parse_delivery(tracker, headers, body, secret, now)
    except DeliveryRejected as exc:
        log.warning(exc.log_key, extra={"connection_id": connection_id, "reason": exc.message})
        return answer(exc.status, exc.log_key.rsplit(".", 1)[-1], exc.message)
    return _checked(connection_id, delivery, body, now)


def _connection(tracker: str, connection_id: int):
    """(tracker, encrypted secret) of the connection the URL names; None if unknown or other."""
    if tracker not in KNOWN_TRACKERS:
        return None
    found = _recent_lookup(connection_id) or _look_up(connection_id)
    if found is None or found.tracker.value != tracker:
        return None
    return found


def connection_cached(connection_id: int) -> bool:
    """Whether a delivery for this connection can be checked without a round trip to the store."""
    return _recent_lookup(connection_id) is not None


def _recent_lookup(connection_id: int):
    """A lookup at most CONNECTION_TTL seconds old: saves two round trips on busy connections.

    A changed secret or a deleted connection takes effect within that time (a delivery for a
    deleted one fails its foreign key meanwhile: 503, and the tracker's retry gets 404).
    """
    ttl = current_app.config.get("WEBHOOK_CONNECTION_TTL", CONNECTION_TTL)
    hit = current_app.extensions.setdefault("okrsync.webhook_connections", {}).get(connection_id)
    if hit is not None and time.monotonic() - hit[0] < ttl:
        return hit[1]
    return None


def _look_up(connection_id: int):
    try:
        # A connection of its own, closed at once: SQLite holds its write lock until then.
        with engine().connect() as conn:
            found = conn.execute(CONNECTION_LOOKUP, {"id": connection_id}).first()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(type(exc).__name__) from exc
    if found is not None:
        current_app.extensions["okrsync.webhook_connections"][connection_id] = (
            time.monotonic(), found)
    return found


def _webhook_secret(encrypted: str) -> str | None:
    """The plaintext secret, decrypted once per ciphertext (a new secret is a new ciphertext)."""
    cache = current_app.extensions.setdefault("okrsync.webhook_secrets", {})
    if encrypted not in cache:
        cache[encrypted] = secret_box().decrypt(encrypted) or None
    return cache[encrypted]


def _read_body(source) -> bytes | None:
    """The raw body, or None when it is over the limit (read no further than one byte past it)."""
    if (source.content_length or 0) > MAX_BODY_BYTES:
        return None
    body = source.stream.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def _checked(connection_id: int, delivery: Delivery, body: bytes, now: datetime) -> Checked:
    handled = is_handled(delivery)
    key = _fit_dedupe_key(storable_text(delivery.dedupe_key))   # no NUL or lone surrogate
    values = dict(connection_id=connection_id, dedupe_key=key,
                  event_type=storable_text(delivery.event_type)[:EVENT_TYPE_MAX], body=body,
                  state=arrival_state(handled), attempts=0, received_at=now,
                  enqueued_at=now if handled else None)   # stored and handed off when handled
    return Checked(values, delivery, handled)


def stored_answer(checked: Checked, delivery_id: int | None) -> Answer:
    """The answer to a delivery once its row is committed (None: its dedupe key was stored)."""
    delivery, connection_id = checked.delivery, checked.values["connection_id"]
    if delivery_id is None:
        log.info(f"webhooks.{delivery.tracker}.duplicate", extra={
            "connection_id": connection_id, "dedupe_key": checked.values["dedupe_key"]})
        return answer(200, "duplicate", "already received")
    if not checked.handled:
        log.info(f"webhooks.{delivery.tracker}.ignored-event",
                 extra={"connection_id": connection_id, "event_type": delivery.event_type})
        return answer(200, "ignored", "event type not acted on", delivery_id=delivery_id)
    return answer(200, "accepted", "stored and queued", delivery_id=delivery_id)


def _fit_dedupe_key(key: str) -> str:
    """Keys longer than the column are hashed, so distinct keys stay distinct."""
    if len(key) <= DEDUPE_KEY_MAX:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@bp.record_once
def _start_embedded_sweeper(state) -> None:
    """Embedded mode has no `okrsync worker`: `okrsync serve` sets WEBHOOK_SWEEPER to sweep."""
    app = state.app
    if app.config["SETTINGS"].redis_url or not app.config.get("WEBHOOK_SWEEPER", False):
        return
    from plumbing.sweeper import start_sweeper_thread

    start_sweeper_thread(app)
