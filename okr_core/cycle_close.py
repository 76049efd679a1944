"""Closing a cycle: every KR scored from its final value, objectives from their KRs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.domain import CycleStatus, Measure
from okr_core.models import Cycle, KeyResult, Objective
from okr_core.rules import (
    guard_cycle_writable, score_key_result, score_label, score_objective, score_rollup,
)


@dataclass(frozen=True)
class ObjectiveScore:
    objective_id: int
    title: str
    score: float | None
    label: str | None
    key_results: list[dict]


def start_closing(cycle: Cycle, now: datetime) -> None:
    """Ask the KR owners for their final values; raises CycleClosed when it is read-only."""
    guard_cycle_writable(cycle.status)
    if cycle.close_started_at is None:
        cycle.close_started_at = now


def is_closing(cycle: Cycle) -> bool:
    """True between an admin starting the close and the cycle being scored."""
    return cycle.close_started_at is not None and cycle.status in (
        CycleStatus.DRAFT, CycleStatus.ACTIVE)


def close_cycle(session: Session, cycle: Cycle, now: datetime) -> list[ObjectiveScore]:
    """Score the cycle and make it read-only; raises CycleClosed when it already is."""
    guard_cycle_writable(cycle.status)
    objectives = session.scalars(select(Objective).where(Objective.cycle_id == cycle.id)
                                 .order_by(Objective.id)).all()
    krs = session.scalars(select(KeyResult).join(Objective)
                          .where(Objective.cycle_id == cycle.id).order_by(KeyResult.id)).all()
    by_objective: dict[int, list[KeyResult]] = {}
    for kr in krs:
        by_objective.setdefault(kr.objective_id, []).append(kr)
    results = {}
    for objective in children_first(objectives):
        krs_of = by_objective.get(objective.id, [])
        results[objective.id] = _score_objective(objective, krs_of)
        if not krs_of:
            _score_from_children(objective, objectives, results)
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at = now
    return [results[objective.id] for objective in objectives]


def children_first(objectives: list[Objective]) -> list[Objective]:
    """The objectives ordered so each aligned child comes before its parent."""
    ordered: list[Objective] = []
    placed: set[int] = set()

    def place(objective: Objective, path: frozenset) -> None:
        if objective.id in placed or objective.id in path:
            return  # placed already, or a loop of parents: each still scored once
        for child in objectives:
            if child.parent_id == objective.id and not child.archived:
                place(child, path | {objective.id})
        placed.add(objective.id)
        ordered.append(objective)

    for objective in objectives:
        place(objective, frozenset())
    return ordered


def _score_from_children(objective: Objective, objectives: list[Objective],
                         results: dict[int, ObjectiveScore]) -> None:
    """A parent with only aligned children is scored from their scores, as its progress rolls up."""
    child_scores = [results[child.id].score for child in objectives
                    if child.parent_id == objective.id and not child.archived
                    and child.id in results]
    objective.final_score = score_rollup(child_scores)
    label = score_label(objective.final_score).value if objective.final_score is not None else None
    results[objective.id] = ObjectiveScore(objective.id, objective.title, objective.final_score,
                                           label, [])


def _score_objective(objective: Objective, krs: list[KeyResult]) -> ObjectiveScore:
    scored = []
    for kr in krs:
        if kr.target_value is None:
            kr.final_score = None
        else:
            # Same direction rule as live progress: item counts (open bugs) go down.
            kr.final_score = score_key_result(
                kr.start_value, kr.target_value,
                kr.current_value if kr.current_value is not None else kr.start_value,
                lower_is_better=kr.measure == Measure.ITEM_COUNT)
        scored.append({"id": kr.id, "title": kr.title, "score": kr.final_score,
                       "label": score_label(kr.final_score).value
                       if kr.final_score is not None else None})
    parts = [(kr.weight, kr.final_score) for kr in krs if kr.final_score is not None]
    objective.final_score = score_objective(parts) if parts else None
    label = score_label(objective.final_score).value if objective.final_score is not None else None
    return ObjectiveScore(objective.id, objective.title, objective.final_score, label, scored)
