"""When the status an owner reports and the KR's pace contradict each other, say so in numbers."""
from __future__ import annotations

from dataclasses import dataclass

from okr_core.domain import JUDGED_STATUSES, KRStatus
from okr_core.rules.status import DEFAULT_THRESHOLDS, StatusThresholds, pace_status
from okr_core.value_format import ValueStyle, format_range

_WORDS = {KRStatus.ON_TRACK: "on track", KRStatus.AT_RISK: "at risk",
          KRStatus.OFF_TRACK: "off track"}
_RANK = {status: rank for rank, status in enumerate(JUDGED_STATUSES)}


@dataclass(frozen=True)
class PaceDisagreement:
    """A reported status the pace contradicts, and where the current pace ends by the cycle's end."""

    reported: KRStatus
    pace: KRStatus
    projected_progress: float
    projected_value: float
    message: str


def projected_progress(progress: float, expected: float) -> float | None:
    """Progress at the cycle's end if it keeps the pace it has had since the cycle began."""
    return None if expected <= 0 else progress / expected


def pace_disagreement(reported: KRStatus | str, progress: float | None, expected: float,
                      start: float, target: float | None, style: ValueStyle,
                      thresholds: StatusThresholds = DEFAULT_THRESHOLDS,
                      ) -> PaceDisagreement | None:
    """The contradiction, when the owner reports better than the pace, or off track while on it."""
    if progress is None or target is None or KRStatus(reported) not in _RANK:
        return None
    projected = projected_progress(progress, expected)
    if projected is None:
        return None
    reported, pace = KRStatus(reported), pace_status(progress, expected, thresholds)
    optimistic = _RANK[reported] < _RANK[pace]
    opposite = abs(_RANK[reported] - _RANK[pace]) == 2
    if not (optimistic or opposite):
        return None
    value = start + projected * (target - start)
    # A count's projection shows one decimal ("4.4 incidents"); a style with decimals keeps its own.
    reaches = format_range(value, target, style, extra_decimals=1 if style.decimals == 0 else 0)
    message = f"reported {_WORDS[reported]}, but at the current pace it reaches {reaches}"
    return PaceDisagreement(reported, pace, projected, value, message)
