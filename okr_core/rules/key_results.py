"""What a key result's numbers must be: percent ratios, a target apart from the start, drafts."""
from __future__ import annotations

import math
from typing import Any, Mapping

from okr_core.domain import Measure

RATIO_MEASURES = frozenset({Measure.WORK_DONE_RATIO, Measure.POINTS_DONE_RATIO})
PERCENT_UNIT = "%"
PERCENT_RANGE = (0.0, 100.0)
RATIO_DEFAULTS = {"start_value": 0.0, "target_value": 100.0, "unit": PERCENT_UNIT}

# The guide: key results say "how you'll measure success (quantitative, specific)" with a
# starting value and a target value; without a number there is nothing to measure or score.
NO_TARGET_WARNING = ("This key result has no numeric target, so its progress cannot be measured "
                     "or scored. Key results are quantitative: give it a start and a target value "
                     "before publishing; until then it stays a draft.")


def is_ratio_measure(measure: Measure | str | None) -> bool:
    """True for the measures that give a percentage of linked work done."""
    return measure is not None and Measure(measure) in RATIO_MEASURES


def with_measure_defaults(given: Mapping[str, Any], measure: Measure | str | None) -> dict:
    """The given fields plus a ratio KR's defaults (start 0, target 100, unit "%") where unset."""
    fields = dict(given)
    if is_ratio_measure(measure):
        for name, default in RATIO_DEFAULTS.items():
            if fields.get(name) in (None, ""):
                fields[name] = default
    return fields


def key_result_problems(measure: Measure | str, start: float | None, target: float | None,
                        *, draft: bool) -> dict[str, str]:
    """Field -> what is wrong with these numbers; empty when the key result may be saved."""
    problems: dict[str, str] = {}
    if target is None:
        if not draft:
            problems["target_value"] = ("A published key result needs a numeric target; "
                                        "keep its objective as a draft until it has one.")
    elif start is not None and _same_number(start, target):
        problems["target_value"] = ("The target must differ from the start value: "
                                    "there is nothing to progress towards.")
    if is_ratio_measure(measure):
        low, high = PERCENT_RANGE
        for name, value in (("start_value", start), ("target_value", target)):
            if value is not None and not low <= value <= high:
                problems.setdefault(name, f"A percentage of work done is between {low:g} and "
                                          f"{high:g}; {value:g} is outside it.")
    return problems


def _same_number(a: float, b: float) -> bool:
    """Equal as entered; float noise from a form (0.1 + 0.2) does not make two numbers differ."""
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)

