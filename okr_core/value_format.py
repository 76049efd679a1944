"""Key result values as people write them, by unit: whole counts, money, percent, durations.

One home for the wording of a value, used by the pages and by the analysis text, so
"181.45 of 300 workspaces" reads "181 of 300 workspaces" everywhere.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from okr_core.domain import Measure

DEFAULT_DECIMALS = 1
MAX_DECIMALS = 4
COUNT_MEASURES = frozenset({Measure.DONE_COUNT, Measure.ITEM_COUNT})
# Money: a symbol or code, optionally scaled ("k$" is thousands of dollars).
_MONEY = re.compile(r"^(?:(?P<scale_before>[kKmM])?(?P<symbol>[$€£¥])(?P<scale_after>[kKmM])?"
                    r"|(?P<code>USD|EUR|GBP|JPY|CHF|CAD|AUD)(?:\s*(?P<scale_code>[kKmM]))?)$")
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
DURATIONS = {"ms": None, "s": None, "sec": None, "min": None, "h": None,
             "seconds": "second", "minutes": "minute", "hours": "hour", "days": "day",
             "weeks": "week", "months": "month"}
# Words that measure something continuous, so a whole-number start and target do not make
# them counts.
_NOT_COUNTS = frozenset({"points", "score", "nps", "csat", "rating", "stars", "pts", "gb", "mb",
                         "kb", "tb", "x", "ratio", "rate"})


@dataclass(frozen=True)
class ValueStyle:
    """How one key result's values are written."""

    unit: str
    kind: str          # "count", "percent", "money", "duration" or "number"
    decimals: int
    falling: bool = False   # the target is below the start ("Cut incidents from 8 to 2")


def value_style(unit: str | None, measure: Measure | str = Measure.MANUAL,
                start: float | None = None, target: float | None = None,
                decimals: int = DEFAULT_DECIMALS) -> ValueStyle:
    """The style for a KR: its unit's kind, and enough decimals to show its own start and target."""
    unit = (unit or "").strip()
    places = max([decimals, *(_places(v) for v in (start, target) if v is not None)])
    places = min(MAX_DECIMALS, places)
    falling = start is not None and target is not None and target < start
    kind = _kind(unit, measure, start, target)
    return ValueStyle(unit, kind, 0 if kind == "count" else places, falling)


def _kind(unit: str, measure: Measure | str, start: float | None, target: float | None) -> str:
    if Measure(measure) in COUNT_MEASURES:
        return "count"
    if unit == "%":
        return "percent"
    if _MONEY.match(unit):
        return "money"
    if unit.lower() in DURATIONS:
        return "duration"
    return "count" if _is_count_unit(unit, start, target) else "number"


def format_value(value: float | None, style: ValueStyle, *, extra_decimals: int = 0) -> str:
    """One value with its unit ("45%", "$1,200k", "3 hours", "181 workspaces"); "none" when unset."""
    if value is None:
        return "none"
    number = format_number(value, style.decimals + extra_decimals)
    if style.kind == "percent":
        return f"{number}%"
    if style.kind == "money":
        return _money(number, style.unit)
    unit = _unit_for(value, style)
    return f"{number} {unit}" if unit else number


def format_range(current: float | None, target: float | None, style: ValueStyle, *,
                 extra_decimals: int = 0, start: float | None = None) -> str:
    """ "181 of 300 workspaces", "45% of 100%", "$900k of $1,200k": the value against its target,
    with "(from 120 workspaces)" when a start is given.

    A falling KR's value is not a share of its target, so it reads "5 incidents (target 2 incidents)",
    or "5 incidents (from 8 incidents, target 2 incidents)"."""
    value = format_value(current, style, extra_decimals=extra_decimals)
    if target is None:
        return value
    since = f"from {format_value(start, style)}" if start is not None else None
    if style.falling:
        return f"{value} ({since + ', ' if since else ''}target {format_value(target, style)})"
    if style.kind not in ("percent", "money"):
        bare = ValueStyle("", style.kind, style.decimals)
        value = format_value(current, bare, extra_decimals=extra_decimals)
    return f"{value} of {format_value(target, style)}" + (f" ({since})" if since else "")


def format_number(value: float, decimals: int) -> str:
    """Thousands separated, at most `decimals` places, trailing zeros dropped: 1,200 / 99.95."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:,.{max(0, decimals)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _places(value: float) -> int:
    """Decimal places of a number as written: 99.95 -> 2, 12.0 -> 0."""
    text = repr(float(value))
    if "e" in text or "." not in text:
        return 0
    decimals = text.split(".")[1].rstrip("0")
    return len(decimals)


def _is_count_unit(unit: str, start: float | None, target: float | None) -> bool:
    """A plain word ("workspaces", "incidents") over whole-number start and target."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z -]*", unit) or unit.lower() in DURATIONS:
        return False
    if unit.lower() in _NOT_COUNTS:
        return False
    bounds = [v for v in (start, target) if v is not None]
    return bool(bounds) and all(float(v).is_integer() for v in bounds)


def _money(number: str, unit: str) -> str:
    match = _MONEY.match(unit)
    symbol = match["symbol"] or _SYMBOLS.get(match["code"] or "", "")
    scale = (match["scale_before"] or match["scale_after"] or match["scale_code"] or "").lower()
    if symbol:
        sign, digits = ("-", number[1:]) if number.startswith("-") else ("", number)
        return f"{sign}{symbol}{digits}{scale}"
    return f"{number}{scale} {match['code']}"


def _unit_for(value: float, style: ValueStyle) -> str:
    """Durations in the singular for exactly one ("1 hour"); other units as written."""
    singular = DURATIONS.get(style.unit.lower()) if style.kind == "duration" else None
    if singular and abs(value) == 1:
        return singular
    return style.unit
