"""A key result's forecast in words: the chance with its interval, and the P10/P50/P90 end
values in the KR's own units, with the sample the figures rest on."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from okr_core.models import KeyResult
from okr_core.value_format import ValueStyle, format_value, value_style
from plumbing.db import request_session


@dataclass(frozen=True)
class Scale:
    """How to turn a progress share (0 = start, 1 = target) into the KR's value."""
    start: float
    target: float
    style: ValueStyle

    def value(self, progress: float) -> str:
        return format_value(self.start + progress * (self.target - self.start), self.style)


def scales(kr_ids: set[int]) -> dict[int, Scale]:
    """The KRs' start, target and unit style (one statement); KRs without a target are left out."""
    if not kr_ids:
        return {}
    rows = request_session().execute(
        select(KeyResult.id, KeyResult.start_value, KeyResult.target_value, KeyResult.unit,
               KeyResult.measure).where(KeyResult.id.in_(kr_ids)))
    return {kr_id: Scale(start, target, value_style(unit, measure, start, target))
            for kr_id, start, target, unit, measure in rows if target is not None}


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def chance_words(row: dict) -> str:
    """ "34% chance to reach its target (95% interval 18% to 55%)" """
    text = f"{_percent(row['chance'])} chance to reach its target"
    interval = row.get("interval")
    if isinstance(interval, list) and len(interval) == 2 and interval[0] != interval[1]:
        text += f" (95% interval {_percent(interval[0])} to {_percent(interval[1])})"
    return text


def range_words(row: dict, scale: Scale | None, trials: int | None) -> str:
    """The end values as P10/P50/P90 in the KR's units (or as progress), and the sample size."""
    ends = row.get("end_value")
    weeks = row.get("sample_weeks")
    if not isinstance(ends, dict) or not {"p10", "p50", "p90"} <= set(ends):
        return ""
    show = scale.value if scale else (lambda p: f"{_percent(p)} of the way to target")
    if ends["p10"] == ends["p90"]:
        text = f"Ends at {show(ends['p50'])}"
    else:
        text = (f"Likely end value {show(ends['p50'])} (P50); 1 in 10 simulated endings "
                f"is at {show(ends['p10'])} or worse (P10), 1 in 10 at {show(ends['p90'])} "
                "or better (P90)")
    sample = []
    if isinstance(weeks, int):
        sample.append(f"{weeks} week{'s' if weeks != 1 else ''} of progress")
    if trials:
        sample.append(f"{trials} simulated endings")
    return text + (f". From {' and '.join(sample)}." if sample else ".")
