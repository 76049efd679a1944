"""Route a verified delivery to its tracker's planner: handled, ignored or unknown."""
from __future__ import annotations

from okr_core.domain import StrEnum, TrackerKind
from connector.jira.reading import ReadingRules
from webhooks import jira_events, linear_events
from webhooks.effects import DeliveryEffect
from webhooks.events import Delivery


class Route(StrEnum):
    """What the service does with a delivery of a given event type."""

    HANDLED = "handled"
    IGNORED = "ignored"   # known and deliberately not acted on
    UNKNOWN = "unknown"   # not an event okrsync knows; stored as ignored all the same


def route(delivery: Delivery) -> Route:
    """Classify a delivery by its tracker and event type."""
    if delivery.tracker is TrackerKind.JIRA:
        if delivery.event_type in jira_events.EVENT_PLANNERS:
            return Route.HANDLED
        ignored = delivery.event_type in jira_events.IGNORED_EVENTS
    else:
        if delivery.event_type in linear_events.EVENT_PLANNERS:
            return Route.HANDLED
        ignored = delivery.event_type.partition(".")[0] in linear_events.IGNORED_TYPES
    return Route.IGNORED if ignored else Route.UNKNOWN


def is_handled(delivery: Delivery) -> bool:
    """True when okrsync acts on this delivery; everything else is stored as ignored."""
    return route(delivery) is Route.HANDLED


def plan_delivery(delivery: Delivery, *, story_points_field: str | None = None,
                  jira_rules: ReadingRules | None = None) -> DeliveryEffect:
    """What a delivery changes; an empty effect for events okrsync does not handle.

    Jira payloads are read with the connection's `jira_rules` (points fields, not-done
    resolutions); `story_points_field` alone stands for rules with that one field.
    """
    if delivery.tracker is TrackerKind.JIRA:
        jira_planner = jira_events.EVENT_PLANNERS.get(delivery.event_type)
        if jira_planner is None:
            return DeliveryEffect()
        rules = jira_rules or ReadingRules(points_fields=(story_points_field,) if story_points_field else ())
        return jira_planner(delivery.payload, rules)
    linear_planner = linear_events.EVENT_PLANNERS.get(delivery.event_type)
    return linear_planner(delivery.payload) if linear_planner else DeliveryEffect()
