"""Evaluate a Linear IssueFilter against an issue's GraphQL-shaped view (the subset tests need)."""
from __future__ import annotations

from datetime import datetime


def _comparable(value):
    """ISO timestamps compare as instants, not as strings."""
    if isinstance(value, str) and len(value) >= 20 and value[4] == "-" and value[10] == "T":
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value

COMPARATORS = {
    "eq": lambda a, b: a == b, "neq": lambda a, b: a != b,
    "in": lambda a, b: a in b, "nin": lambda a, b: a not in b,
    "gt": lambda a, b: a is not None and a > b, "gte": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b, "lte": lambda a, b: a is not None and a <= b,
    "contains": lambda a, b: a is not None and b in a,
    "null": lambda a, b: (a is None) == b,
}


def matches(view, condition: dict | None) -> bool:
    """True when `view` (dict / list / scalar) satisfies the filter `condition`."""
    if not condition:
        return True
    for name, wanted in condition.items():
        if not _one(view, name, wanted):
            return False
    return True


def _one(view, name: str, wanted) -> bool:
    if name == "and":
        return all(matches(view, part) for part in wanted)
    if name == "or":
        return any(matches(view, part) for part in wanted)
    if name == "some":
        return any(matches(element, wanted) for element in view or [])
    if name == "every":
        return all(matches(element, wanted) for element in view or [])
    if name in COMPARATORS:
        return COMPARATORS[name](_comparable(view), _comparable(wanted))
    if not isinstance(view, dict):
        raise ValueError(f"the simulator cannot filter on {name!r}")
    value = view.get(name)
    if isinstance(wanted, dict) and value is None and not isinstance(view.get(name, ()), (list, dict)):
        return "null" in wanted and wanted["null"] is True
    return matches(value, wanted) if isinstance(wanted, dict) else value == wanted
