"""Parse and verify webhook deliveries with no I/O: (tracker, headers, body, secret, now)."""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from okr_core.domain import TrackerKind
from webhooks.errors import (
    BodyTooLarge,
    NotAnObject,
    NotJSON,
    SecretNotConfigured,
    SignatureMismatch,
    SignatureMissing,
    StaleTimestamp,
)
from webhooks.payload import from_millis, from_millis_or_iso

MAX_BODY_BYTES = 5 * 1024 * 1024
# Linear's SDK rejects deliveries whose webhookTimestamp is more than a minute away from now:
# https://linear.app/developers/webhooks and https://linear.app/docs/api/sdk-webhooks
LINEAR_TIMESTAMP_TOLERANCE = timedelta(seconds=60)

# https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
JIRA_SIGNATURE_HEADER = "X-Hub-Signature"
JIRA_DELIVERY_HEADER = "X-Atlassian-Webhook-Identifier"
# https://linear.app/developers/webhooks
LINEAR_SIGNATURE_HEADER = "Linear-Signature"
LINEAR_DELIVERY_HEADER = "Linear-Delivery"
# The only headers parse_delivery reads, per tracker: callers may pass just these.
READ_HEADERS = {TrackerKind.JIRA: (JIRA_SIGNATURE_HEADER, JIRA_DELIVERY_HEADER),
                TrackerKind.LINEAR: (LINEAR_SIGNATURE_HEADER, LINEAR_DELIVERY_HEADER)}


@dataclass(frozen=True)
class Delivery:
    """One verified, decoded webhook delivery."""

    tracker: TrackerKind
    event_type: str
    dedupe_key: str
    payload: dict[str, Any]
    received_at: datetime
    occurred_at: datetime | None


def parse_delivery(
    tracker: TrackerKind | str,
    headers: Mapping[str, str],
    body: bytes,
    secret: str | None,
    now: datetime,
) -> Delivery:
    """Check size and signature over the raw bytes, then decode; raise DeliveryRejected if bad."""
    tracker = TrackerKind(tracker)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if len(body) > MAX_BODY_BYTES:
        raise BodyTooLarge(tracker, f"body is {len(body)} bytes, limit {MAX_BODY_BYTES}")
    headers = _lowercase_keys(headers)
    verify_signature(tracker, headers, body, secret)
    payload = _decode_object(tracker, body)
    if tracker is TrackerKind.LINEAR:
        check_linear_timestamp(payload, now)
    return Delivery(
        tracker=tracker,
        event_type=_event_type(tracker, payload),
        dedupe_key=_dedupe_key(tracker, headers, body),
        payload=payload,
        received_at=now.astimezone(timezone.utc),
        occurred_at=_occurred_at(tracker, payload),
    )


def verify_signature(
    tracker: TrackerKind | str, headers: Mapping[str, str], body: bytes, secret: str | None
) -> None:
    """Raise unless signature and secret agree; an unsigned delivery is refused, always."""
    tracker = TrackerKind(tracker)
    headers = _lowercase_keys(headers)
    received = _signature_header(tracker, headers)
    if not secret:
        # Strict both ways: a connection without a secret cannot accept anything.
        raise SecretNotConfigured(tracker, "no webhook secret is configured for this connection")
    if received is None:
        raise SignatureMissing(tracker, f"{_signature_name(tracker)} header missing")
    expected = expected_signature(tracker, body, secret)
    # Compare bytes: compare_digest refuses non-ASCII str, and a header may hold anything.
    if not hmac.compare_digest(expected.encode(), received.encode("utf-8", "replace")):
        raise SignatureMismatch(tracker, f"{_signature_name(tracker)} does not match the body")


def expected_signature(tracker: TrackerKind | str, body: bytes, secret: str) -> str:
    """The signature header value the tracker sends for `body` signed with `secret`."""
    tracker = TrackerKind(tracker)
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}" if tracker is TrackerKind.JIRA else digest


def check_linear_timestamp(payload: Mapping[str, Any], now: datetime) -> None:
    """Raise StaleTimestamp unless the signed body's webhookTimestamp is within 60 s of now."""
    # https://linear.app/developers/webhooks: milliseconds; captured older payloads: ISO-8601.
    sent_at = from_millis_or_iso(payload.get("webhookTimestamp"))
    if sent_at is None:
        raise StaleTimestamp(TrackerKind.LINEAR, "webhookTimestamp missing or not a time")
    if abs(now - sent_at) > LINEAR_TIMESTAMP_TOLERANCE:
        raise StaleTimestamp(
            TrackerKind.LINEAR, f"webhookTimestamp {sent_at.isoformat()} is too far from now"
        )


def _lowercase_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _signature_name(tracker: TrackerKind) -> str:
    return JIRA_SIGNATURE_HEADER if tracker is TrackerKind.JIRA else LINEAR_SIGNATURE_HEADER


def _signature_header(tracker: TrackerKind, headers: Mapping[str, str]) -> str | None:
    value = headers.get(_signature_name(tracker).lower(), "").strip()
    return value or None


def _decode_object(tracker: TrackerKind, body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body, parse_constant=_reject_constant)
    # JSONDecodeError and UnicodeDecodeError are ValueErrors; deep nesting raises RecursionError.
    except (ValueError, RecursionError) as exc:
        raise NotJSON(tracker, f"body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise NotAnObject(tracker, f"body is a JSON {type(payload).__name__}, not an object")
    return payload


def _reject_constant(name: str) -> Any:
    """Refuse NaN and Infinity, which Python accepts but JSON does not."""
    raise ValueError(f"{name} is not valid JSON")


def _event_type(tracker: TrackerKind, payload: Mapping[str, Any]) -> str:
    if tracker is TrackerKind.JIRA:
        event = payload.get("webhookEvent")
        return event if isinstance(event, str) else ""
    kind, action = payload.get("type"), payload.get("action")
    if isinstance(kind, str) and isinstance(action, str):
        return f"{kind}.{action}"
    return ""


def _dedupe_key(tracker: TrackerKind, headers: Mapping[str, str], body: bytes) -> str:
    name = JIRA_DELIVERY_HEADER if tracker is TrackerKind.JIRA else LINEAR_DELIVERY_HEADER
    return headers.get(name.lower(), "").strip() or hashlib.sha256(body).hexdigest()


def _occurred_at(tracker: TrackerKind, payload: Mapping[str, Any]) -> datetime | None:
    # Linear's webhookTimestamp is mandatory (checked above), so its data.updatedAt is never needed.
    if tracker is TrackerKind.JIRA:
        return from_millis(payload.get("timestamp"))
    return from_millis_or_iso(payload.get("webhookTimestamp"))
