"""Route a verified delivery to its tracker's planner: handled, ignored or unknown."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.registry import tracker
from connector.webhook import DeliveryEffect
from okr_core.domain import StrEnum
from webhooks.events import Delivery


class Route(StrEnum):
    """What the service does with a delivery of a given event type."""

    HANDLED = "handled"
    IGNORED = "ignored"   # known and deliberately not acted on
    UNKNOWN = "unknown"   # not an event okrsync knows; stored as ignored all the same


def route(delivery: Delivery) -> Route:
    """Classify a delivery by its tracker's dialect and its event type."""
    dialect = tracker(delivery.tracker).webhooks
    if delivery.event_type in dialect.event_planners:
        return Route.HANDLED
    return Route.IGNORED if dialect.is_ignored(delivery.event_type) else Route.UNKNOWN


def is_handled(delivery: Delivery) -> bool:
    """True when okrsync acts on this delivery; everything else is stored as ignored."""
    return route(delivery) is Route.HANDLED


def plan_delivery(delivery: Delivery, settings: Mapping[str, Any] | None = None) -> DeliveryEffect:
    """What a delivery changes; an empty effect for events okrsync does not handle.

    The tracker's dialect reads the payload with the connection's stored `settings` (for Jira:
    points fields, not-done resolutions).
    """
    dialect = tracker(delivery.tracker).webhooks
    return dialect.plan(delivery.event_type, delivery.payload, settings)
