"""Webhook test fixtures: captured payloads verified and parsed as the service receives them."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from tests.webhooks.webhook_signing import TEST_SECRET, fixture_body, sent_at, signed_headers

from okr_core.domain import TrackerKind
from webhooks.events import Delivery, parse_delivery


@pytest.fixture
def deliver() -> Callable[[TrackerKind, str], Delivery]:
    """Verify and parse a captured payload as received two seconds after the tracker sent it."""

    def _deliver(tracker: TrackerKind, name: str) -> Delivery:
        body = fixture_body(tracker, name)
        headers = signed_headers(tracker, body, delivery_id=f"delivery-{name}")
        now = sent_at(tracker, body) + timedelta(seconds=2)
        return parse_delivery(tracker, headers, body, TEST_SECRET, now)

    return _deliver
