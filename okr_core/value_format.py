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


def value_style(unit: str | None, measure: Measure | str = Measure.MANUAL,
                start: float | None = None, target: float | None = None,
                decimals: int = DEFAULT_DECIMALS) -> ValueStyle:
    """The style for a KR: its unit's kind, and enough decimals to show its own start and target."""
    unit = (unit or "").strip()
    places = max([decimals, *(_places(v) for v in (start, target) if v is not None)])
    places = min(MAX_DECIMALS, places)
    if Measure(measure) in COUNT_MEASURES:
        return ValueStyle(unit, "count", 0)
    if unit == "%":
        return ValueStyle(unit, "percent", places)
    if _MONEY.match(unit):
        return ValueStyle(unit, "money", places)
    if unit.lower() in DURATIONS:
        return ValueStyle(unit, "duration", places)
    if _is_count_unit(unit, start, target):
        return ValueStyle(unit, "count", 0)
    return ValueStyle(unit, "number", places)


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
                 extra_decimals: int = 0) -> str:
    """ "4 of 2 incidents", "45% of 100%", "$900k of $1,200k": the value against its target."""
    if target is None:
        return format_value(current, style, extra_decimals=extra_decimals)
    if style.kind in ("percent", "money"):
        return (f"{format_value(current, style, extra_decimals=extra_decimals)} of "
                f"{format_value(target, style)}")
    bare = ValueStyle("", style.kind, style.decimals)
    return (f"{format_value(current, bare, extra_decimals=extra_decimals)} of "
            f"{format_value(target, style)}")


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
