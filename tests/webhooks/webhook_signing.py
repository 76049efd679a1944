"""Sign real captured webhook payloads at test time, as the trackers would."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from okr_core.domain import TrackerKind
from webhooks.events import expected_signature

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TEST_SECRET = "okrsync-test-webhook-secret"
SIGNATURE_HEADER = {TrackerKind.JIRA: "X-Hub-Signature", TrackerKind.LINEAR: "Linear-Signature"}
DELIVERY_HEADER = {
    TrackerKind.JIRA: "X-Atlassian-Webhook-Identifier",
    TrackerKind.LINEAR: "Linear-Delivery",
}


def fixture_body(tracker: TrackerKind, name: str) -> bytes:
    """The raw bytes of a captured payload, as the tracker sent them."""
    return (FIXTURES / str(tracker) / "webhooks" / f"{name}.json").read_bytes()


def sent_at(tracker: TrackerKind, body: bytes) -> datetime:
    """When the tracker sent the payload, from its own timestamp field."""
    payload = json.loads(body)
    millis = payload["timestamp"] if tracker is TrackerKind.JIRA else payload["webhookTimestamp"]
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc)


def signed_headers(
    tracker: TrackerKind, body: bytes, delivery_id: str | None = None
) -> dict[str, str]:
    """Headers the tracker would send with `body` signed by the test secret."""
    headers = {SIGNATURE_HEADER[tracker]: expected_signature(tracker, body, TEST_SECRET)}
    if delivery_id is not None:
        headers[DELIVERY_HEADER[tracker]] = delivery_id
    return headers
