"""Indexes and time figures shared by every section, built once per analysis."""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from okr_core.analysis.facts import CheckInFact, CycleFacts, KeyResultFact, ObjectiveFact
from okr_core.rules import clamp_progress, expected_progress

WEEK = timedelta(days=7)


@dataclass
class AnalysisContext:
    """Facts indexed by id, plus where `now` falls in the cycle."""

    facts: CycleFacts
    objectives: dict[int, ObjectiveFact]
    krs: dict[int, KeyResultFact]
    krs_by_objective: dict[int, list[KeyResultFact]]
    check_ins_by_kr: dict[int, list[CheckInFact]]
    series_by_kr: dict[int, tuple[list[datetime], list[float | None]]]
    expected: float
    weeks_elapsed: float
    weeks_remaining: float

    def progress_at(self, kr_id: int, moment: datetime) -> float | None:
        """The KR's progress at `moment` from its snapshots; None before the first one."""
        times, values = self.series_by_kr.get(kr_id, ([], []))
        index = bisect_right(times, moment)
        return values[index - 1] if index else None

    def progress_then(self, kr: KeyResultFact, moment: datetime) -> float | None:
        """Progress at `moment`: from snapshots, the start (0) before them, today's without any."""
        if kr.id not in self.series_by_kr:
            return kr.progress
        value = self.progress_at(kr.id, moment)
        return 0.0 if value is None else value

    def shown_progress(self, kr: KeyResultFact) -> float:
        """Progress clamped to [0, 1], 0 without a value."""
        return clamp_progress(kr.progress)

    def latest_check_in(self, kr_id: int, before: datetime | None = None) -> CheckInFact | None:
        """The newest check-in (at or before `before` when given)."""
        for check_in in reversed(self.check_ins_by_kr.get(kr_id, [])):
            if before is None or check_in.created_at <= before:
                return check_in
        return None


def cycle_bounds(facts: CycleFacts) -> tuple[datetime, datetime]:
    """The cycle's first and last instant in UTC; the end date is inclusive."""
    start = datetime.combine(facts.cycle.start_date, time.min, tzinfo=timezone.utc)
    end = datetime.combine(facts.cycle.end_date + timedelta(days=1), time.min, tzinfo=timezone.utc)
    return start, end


def build_context(facts: CycleFacts) -> AnalysisContext:
    """Index the facts and place `now` within the cycle."""
    krs_by_objective: dict[int, list[KeyResultFact]] = defaultdict(list)
    for kr in facts.key_results:
        krs_by_objective[kr.objective_id].append(kr)
    check_ins: dict[int, list[CheckInFact]] = defaultdict(list)
    for check_in in sorted(facts.check_ins, key=lambda c: (c.created_at, c.id)):
        check_ins[check_in.kr_id].append(check_in)
    start, end = cycle_bounds(facts)
    now = min(max(facts.now, start), end)
    return AnalysisContext(
        facts=facts,
        objectives={o.id: o for o in facts.objectives},
        krs={kr.id: kr for kr in facts.key_results},
        krs_by_objective=dict(krs_by_objective),
        check_ins_by_kr=dict(check_ins),
        series_by_kr=_series(facts),
        expected=expected_progress(facts.cycle.start_date, facts.cycle.end_date, facts.now),
        weeks_elapsed=(now - start) / WEEK,
        weeks_remaining=(end - now) / WEEK,
    )


def _series(facts: CycleFacts) -> dict[int, tuple[list[datetime], list[float | None]]]:
    """Each KR's snapshots as parallel (times, progress) lists in time order."""
    points: dict[int, list] = defaultdict(list)
    for snapshot in facts.snapshots:
        points[snapshot.kr_id].append((snapshot.at, snapshot.progress))
    series = {}
    for kr_id, rows in points.items():
        rows.sort(key=lambda row: row[0])
        series[kr_id] = ([at for at, _ in rows], [value for _, value in rows])
    return series
