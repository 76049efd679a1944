"""Constructed cycles for the analysis tests: a 90-day cycle seen on its 46th day."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from okr_core.analysis.context import build_context
from okr_core.analysis.facts import (
    CheckInFact, CommentFact, CycleFacts, CycleInfo, ItemFact, KeyResultFact, ObjectiveFact,
    PastCycleFact, RelationFact, SnapshotFact,
)

START, END = date(2026, 1, 1), date(2026, 3, 31)     # 90 days, the end date inclusive
NOW = datetime(2026, 2, 15, tzinfo=timezone.utc)     # 45 days in: expected progress 0.5


def at(days_before_now: float) -> datetime:
    """A moment `days_before_now` days before NOW."""
    return NOW - timedelta(days=days_before_now)


def objective(id: int, team_id: int | None = 1, parent_id: int | None = None, level="team",
              owner_id: int | None = 1, progress: float | None = None, final_score=None):
    return ObjectiveFact(id, f"Objective {id}", level, team_id, owner_id, parent_id, progress,
                         final_score)


def kr(id: int, objective_id: int = 1, progress: float | None = 0.5, status="on_track",
       confidence=None, weight=1.0, changed_days_ago: float | None = 1, owner_id=1,
       final_score=None, target_value=10.0):
    changed = None if changed_days_ago is None else at(changed_days_ago)
    return KeyResultFact(id, objective_id, f"Key result {id}", owner_id, progress, status,
                         confidence, weight, target_value, changed, at(60), final_score)


def check_in(id: int, kr_id: int, days_ago: float, status=None, confidence=None, note="",
             blockers="", wins=""):
    return CheckInFact(id, kr_id, at(days_ago), status, confidence, note, blockers, wins)


def weekly_snapshots(kr_id: int, levels: list[float]) -> list[SnapshotFact]:
    """One snapshot at the start of each cycle week (day 0, 7, 14, ...) with these levels."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return [SnapshotFact(kr_id, start + timedelta(days=7 * week), level)
            for week, level in enumerate(levels)]


def item(id: int, kr_ids: tuple[int, ...], status="in_progress", connection_id=1):
    return ItemFact(id, connection_id, f"ext-{id}", f"PROJ-{id}", status, kr_ids)


def comment(id: int, item_id: int, body: str, connection_id=1):
    return CommentFact(id, connection_id, f"ext-{item_id}", body, at(2))


def blocks(blocker_item: int, blocked_item: int, connection_id=1):
    return RelationFact(connection_id, f"ext-{blocker_item}", f"ext-{blocked_item}")


def past_cycle(id: int, scores: tuple[float, ...], end=date(2025, 12, 31)):
    return PastCycleFact(id, f"Cycle {id}", end, scores)


def make_facts(objectives=(), krs=(), status="active", now=NOW, **lists) -> CycleFacts:
    """Facts of the standard cycle; objective 1 is added when none is given."""
    objectives = list(objectives) or [objective(1)]
    return CycleFacts(cycle=CycleInfo(1, "Q1 2026", START, END, status), now=now,
                      objectives=objectives, key_results=list(krs),
                      **{name: list(value) for name, value in lists.items()})


def make_ctx(*args, **kwargs):
    return build_context(make_facts(*args, **kwargs))


__all__ = ["at", "blocks", "check_in", "comment", "item", "kr", "make_ctx", "make_facts",
           "objective", "past_cycle", "weekly_snapshots", "NOW", "START", "END"]
