"""A KR forecast's ranges: the chance with an interval, P10/P50/P90 end values, and status agreement.

- End values: the 10th, 50th and 90th percentiles of the simulated final progress (0-1 scale).
- Chance: the share of trials reaching the target, blended with the owner's latest check-in
  confidence (0-10) counted as CONFIDENCE_WEEKS weeks of evidence, so a two-week sample leans on the
  owner and a ten-week one on the pace.
- Interval: the Wilson score interval (95%) of that chance with the weeks observed (plus the
  confidence's weight) as the sample size: few weeks, wide interval.
- Disagreement: an owner reporting "on track" where the forecast chance is below 0.3, or "off track"
  where it is above 0.7.
"""
from __future__ import annotations

import math

CONFIDENCE_WEEKS = 2.0
Z95 = 1.96
UNLIKELY, LIKELY = 0.3, 0.7


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    at = share * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def wilson(chance: float, sample: float) -> tuple[float, float]:
    """The 95% Wilson score interval of a share observed over `sample` trials."""
    if sample <= 0:
        return 0.0, 1.0
    centre = (chance + Z95 ** 2 / (2 * sample)) / (1 + Z95 ** 2 / sample)
    spread = Z95 * math.sqrt(chance * (1 - chance) / sample + Z95 ** 2 / (4 * sample ** 2)) / (1 + Z95 ** 2 / sample)
    return max(0.0, centre - spread), min(1.0, centre + spread)


def blended(pace_chance: float, weeks: int, confidence: int | None) -> tuple[float, float]:
    """(chance, sample size) after counting the owner's confidence as CONFIDENCE_WEEKS of evidence."""
    if confidence is None:
        return pace_chance, float(weeks)
    owner = min(10, max(0, confidence)) / 10
    sample = weeks + CONFIDENCE_WEEKS
    return (weeks * pace_chance + CONFIDENCE_WEEKS * owner) / sample, sample


def disagrees(status: str | None, chance: float) -> bool:
    return (status == "on_track" and chance < UNLIKELY) or (status == "off_track" and chance > LIKELY)


def estimate(pace_chance: float, finals: list[float], weeks: int, confidence: int | None,
             status: str | None) -> dict:
    chance, sample = blended(pace_chance, weeks, confidence)
    interval = wilson(chance, sample)
    return {"chance": round(chance, 2), "chance_from_pace": round(pace_chance, 2),
            "interval": [round(interval[0], 2), round(interval[1], 2)],
            "end_value": {f"p{p}": round(percentile(finals, p / 100), 2) for p in (10, 50, 90)},
            "status_disagrees": disagrees(status, chance), "insufficient_data": False}


def reached(current: float) -> dict:
    value = round(current, 2)
    return {"chance": 1.0, "chance_from_pace": 1.0, "interval": [1.0, 1.0],
            "end_value": {"p10": value, "p50": value, "p90": value}, "status_disagrees": False,
            "insufficient_data": False}


def insufficient() -> dict:
    return {"chance": None, "chance_from_pace": None, "interval": None, "end_value": None,
            "status_disagrees": False, "insufficient_data": True}
