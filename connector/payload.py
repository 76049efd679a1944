"""Typed access to untrusted payload fields: each helper returns the expected type or None."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any


def as_object(value: Any) -> Mapping[str, Any]:
    """The value if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_text(value: Any) -> str | None:
    """A non-empty string (ids may arrive as numbers), else None."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value) or None


def as_number(value: Any) -> float | None:
    """A JSON number as float, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def from_millis(value: Any) -> datetime | None:
    """A UTC datetime from epoch milliseconds; None for anything that is not a usable number."""
    millis = as_number(value)
    if millis is None:
        return None
    try:
        return datetime.fromtimestamp(millis / 1000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def from_millis_or_iso(value: Any) -> datetime | None:
    """Epoch milliseconds (Linear documents webhookTimestamp so) or an ISO-8601 string with an
    offset (older captured Linear payloads carry it that way); None otherwise."""
    if isinstance(value, str):
        return parse_iso_utc(value)
    return from_millis(value)


def parse_iso_utc(value: Any) -> datetime | None:
    """A UTC datetime from ISO-8601 with an offset (Jira `-0800`, Linear `Z`); else None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(timezone.utc)
