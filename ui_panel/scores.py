"""Scores and the guide's labels per objective and key result, final or projected."""
from __future__ import annotations

from dataclasses import dataclass, field

from okr_core.blockers import detect, group_recurring
from okr_core.blockers.grouping_learned import SURE_CALL
from okr_core.models import KeyResult, Objective
from okr_core.rules import ScoreLabel, score_key_result, score_label, score_objective


@dataclass
class ScoredKeyResult:
    kr: KeyResult
    score: float | None
    label: ScoreLabel | None


@dataclass
class ScoredObjective:
    objective: Objective
    score: float | None
    label: ScoreLabel | None
    key_results: list[ScoredKeyResult] = field(default_factory=list)


def _projected(kr: KeyResult, value: float | None) -> float | None:
    if kr.target_value is None:
        return None
    final = value if value is not None else kr.start_value
    return score_key_result(kr.start_value, kr.target_value, final)


def score_rows(objectives: list[Objective], krs: list[KeyResult], final: bool,
               final_values: dict[int, float] | None = None) -> list[ScoredObjective]:
    """Final scores stored at close, or what closing now would give (nothing is written),
    with the final values typed on the close page in place of the KRs' current values."""
    final_values = final_values or {}
    by_objective: dict[int, list[KeyResult]] = {}
    for kr in krs:
        by_objective.setdefault(kr.objective_id, []).append(kr)
    rows = []
    for objective in objectives:
        scored = []
        for kr in by_objective.get(objective.id, []):
            score = kr.final_score if final else _projected(
                kr, final_values.get(kr.id, kr.current_value))
            scored.append(ScoredKeyResult(kr, score, _label(score)))
        parts = [(s.kr.weight, s.score) for s in scored if s.score is not None]
        score = objective.final_score if final else (score_objective(parts) if parts else None)
        rows.append(ScoredObjective(objective, score, _label(score), scored))
    return rows


def _label(score: float | None) -> ScoreLabel | None:
    return score_label(score) if score is not None else None


def recurring_blockers(texts: list[tuple[str, str]], limit: int = 5):
    """Blockers mentioned in several check-ins, most mentioned first: (source id, text) in."""
    findings = []
    for source_id, text in texts:
        finding = detect(text, source_id)
        if finding is not None:
            findings.append((finding, text))
    return group_recurring(findings, min_confidence=SURE_CALL)[:limit]
