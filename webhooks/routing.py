"""Route a verified delivery to its tracker's planner: handled, ignored or unknown."""
from __future__ import annotations

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


def plan_delivery(delivery: Delivery, *, story_points_field: str | None = None,
                  jira_rules=None) -> DeliveryEffect:
    """What a delivery changes; an empty effect for events okrsync does not handle.

    Jira payloads are read with the connection's `jira_rules` (points fields, not-done
    resolutions); `story_points_field` alone stands for rules with that one field.
    """
    dialect = tracker(delivery.tracker).webhooks
    return dialect.plan(delivery.event_type, delivery.payload, story_points_field, rules=jira_rules)
