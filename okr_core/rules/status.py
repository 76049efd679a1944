"""A key result's status: from its pace, unless a newer check-in says otherwise."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from okr_core.domain import KRStatus

# A KR exactly on a threshold must not drop a status because 0.7 * 0.9 is not exact in binary.
_BOUNDARY_TOLERANCE = 1e-9


@dataclass(frozen=True)
class StatusThresholds:
    """Shares of the expected progress that still count as on track and as at risk."""

    on_track: float = 0.9
    at_risk: float = 0.7

    def __post_init__(self) -> None:
        if not 0 < self.at_risk <= self.on_track <= 1:
            raise ValueError(
                f"thresholds need 0 < at_risk <= on_track <= 1, "
                f"got at_risk={self.at_risk}, on_track={self.on_track}"
            )


DEFAULT_THRESHOLDS = StatusThresholds()


@dataclass(frozen=True)
class CheckInView:
    """The parts of a check-in that decide a KR's status."""

    status: KRStatus
    confidence: int | None
    created_at: datetime

    def __post_init__(self) -> None:
        if self.confidence is not None and not 0 <= self.confidence <= 10:
            raise ValueError(f"confidence must be within 0-10, got {self.confidence}")


@dataclass(frozen=True)
class StatusDecision:
    """The status a KR shows, its confidence, and whether pace or a check-in decided it."""

    status: KRStatus
    confidence: int | None
    source: Literal["pace", "check-in"]


def pace_status(
    progress: float | None,
    expected: float,
    thresholds: StatusThresholds = DEFAULT_THRESHOLDS,
) -> KRStatus:
    """On track, at risk or off track from progress against expected; not started without one."""
    if progress is None:
        return KRStatus.NOT_STARTED  # no value yet (or no target): there is nothing to judge
    if expected <= 0:
        return KRStatus.ON_TRACK  # nothing can be behind before the cycle has started
    achieved = progress
    if achieved >= thresholds.on_track * expected - _BOUNDARY_TOLERANCE:
        return KRStatus.ON_TRACK
    if achieved >= thresholds.at_risk * expected - _BOUNDARY_TOLERANCE:
        return KRStatus.AT_RISK
    return KRStatus.OFF_TRACK


def effective_status(
    pace: KRStatus,
    last_progress_change_at: datetime | None,
    latest_checkin: CheckInView | None,
) -> StatusDecision:
    """The latest check-in's status and confidence if newer than the last progress change."""
    if latest_checkin is None or not _is_newer(latest_checkin.created_at, last_progress_change_at):
        return StatusDecision(status=KRStatus(pace), confidence=None, source="pace")
    return StatusDecision(
        status=KRStatus(latest_checkin.status),
        confidence=latest_checkin.confidence,
        source="check-in",
    )


def _is_newer(checked_in_at: datetime, progress_changed_at: datetime | None) -> bool:
    """Newer or at the same moment: a check-in that itself moved progress judges that progress."""
    return progress_changed_at is None or checked_in_at >= progress_changed_at
