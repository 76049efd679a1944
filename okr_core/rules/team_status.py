"""A team's standing for reports: its rolled-up objective status and the spread of its KRs."""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

from okr_core.domain import JUDGED_STATUSES, KRStatus
from okr_core.rules.rollup import KRPart, objective_progress
from okr_core.rules.status import DEFAULT_THRESHOLDS, StatusThresholds, pace_status


def team_status(objectives: Sequence[Sequence[KRPart]], expected: float,
                thresholds: StatusThresholds = DEFAULT_THRESHOLDS) -> KRStatus:
    """Pace status of the mean of the team's objectives, each its weighted KR progress (SPEC 2).

    Only KRs with a value count: a KR not started yet is not judged, so it neither drags the
    team down nor lifts it; a team whose KRs have no value at all is "not started". Objectives
    without KRs of their own (roll-up parents) are left out, so their children count once.
    """
    values = []
    for kr_parts in objectives:
        started = [(weight, value) for weight, value in kr_parts if value is not None]
        if started:
            values.append(objective_progress(started, []))
    if not values:
        return KRStatus.NOT_STARTED
    return pace_status(sum(values) / len(values), expected, thresholds)


def status_spread(statuses: Iterable[KRStatus | str]) -> dict[str, int]:
    """How many KRs are on track, at risk, off track, and (apart) not started."""
    counts = Counter(KRStatus(status) for status in statuses)
    return {status.value: counts[status] for status in (*JUDGED_STATUSES, KRStatus.NOT_STARTED)}
