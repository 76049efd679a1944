"""Forecast: the chance each key result and objective reaches its target by the cycle's end.

A Monte Carlo over the observed weekly progress deltas (bootstrap with replacement), seeded per
key result so the same facts always give the same figures.
"""
from __future__ import annotations

import random

from okr_core.analysis.context import WEEK, AnalysisContext, cycle_bounds
from okr_core.analysis.facts import KeyResultFact
from okr_core.analysis.health import weighted_mean

TRIALS = 400
MIN_WEEKS = 2          # below two observed weekly deltas the pace is not a sample
SEED = "okrsync-forecast"
REACHED = 1 - 1e-9     # progress 1.0 reached, allowing for float sums
DELIVERED = 0.7        # guide: 0.7-0.9 "Delivered successfully"


def weekly_deltas(ctx: AnalysisContext, kr: KeyResultFact) -> list[float]:
    """Progress gained in each whole week observed: from the cycle start or the first snapshot."""
    times, _ = ctx.series_by_kr.get(kr.id, ([], []))
    if not times:
        return []
    first = max(cycle_bounds(ctx.facts)[0], times[0])
    weeks = int((ctx.facts.now - first) / WEEK + 1e-9)
    levels = [ctx.progress_then(kr, first + WEEK * week) or 0.0 for week in range(weeks + 1)]
    return [after - before for before, after in zip(levels, levels[1:])]


def simulate(current: float, deltas: list[float], weeks: float, rng: random.Random) -> list[float]:
    """Final progress of each trial: today's plus sampled weekly deltas for the weeks left."""
    whole, part = int(weeks), weeks - int(weeks)
    finals = []
    for _ in range(TRIALS):
        gained = sum(rng.choices(deltas, k=whole)) if whole else 0.0
        if part > 0:
            gained += part * rng.choice(deltas)
        finals.append(current + gained)
    return finals


def _kr_forecast(ctx: AnalysisContext, kr: KeyResultFact) -> tuple[dict, list[float] | None]:
    """One KR's forecast row and its trial outcomes (None when the data is insufficient)."""
    deltas = weekly_deltas(ctx, kr)
    current = kr.progress or 0.0
    row = {"kr_id": kr.id, "objective_id": kr.objective_id, "sample_weeks": len(deltas),
           "weeks_remaining": round(ctx.weeks_remaining, 1)}
    if current >= REACHED:
        return {**row, "chance": 1.0, "insufficient_data": False}, [current] * TRIALS
    if len(deltas) < MIN_WEEKS:
        return {**row, "chance": None, "insufficient_data": True}, None
    finals = simulate(current, deltas, ctx.weeks_remaining, random.Random(f"{SEED}:{kr.id}"))
    chance = sum(1 for value in finals if value >= REACHED) / TRIALS
    return {**row, "chance": round(chance, 2), "insufficient_data": False}, finals


def _objective_forecast(ctx, objective_id: int, outcomes: dict[int, list[float] | None]) -> dict:
    """Joint trials of the objective's KRs: all targets reached, and a delivered score."""
    krs = ctx.krs_by_objective.get(objective_id, [])
    known = [kr for kr in krs if outcomes.get(kr.id) is not None]
    row = {"objective_id": objective_id,
           "krs_without_data": sorted(kr.id for kr in krs if outcomes.get(kr.id) is None)}
    if not known:
        return {**row, "chance_all_targets": None, "chance_delivered": None,
                "insufficient_data": True}
    reached = delivered = 0
    for trial in range(TRIALS):
        parts = [(kr.weight, min(1.0, max(0.0, _trial_value(kr, outcomes, trial)))) for kr in krs]
        mean = weighted_mean(parts) or 0.0
        reached += mean >= REACHED
        delivered += mean >= DELIVERED
    return {**row, "chance_all_targets": round(reached / TRIALS, 2),
            "chance_delivered": round(delivered / TRIALS, 2), "insufficient_data": False}


def _trial_value(kr: KeyResultFact, outcomes, trial: int) -> float:
    """A KR's final progress in one trial; a KR without data stays where it is."""
    finals = outcomes.get(kr.id)
    return finals[trial] if finals is not None else (kr.progress or 0.0)


def forecast_section(ctx: AnalysisContext) -> dict:
    """The forecast per key result and per objective, with the sample each rests on."""
    rows, outcomes = [], {}
    for kr in ctx.facts.key_results:
        row, outcomes[kr.id] = _kr_forecast(ctx, kr)
        rows.append(row)
    objectives = [_objective_forecast(ctx, o.id, outcomes) for o in ctx.facts.objectives
                  if ctx.krs_by_objective.get(o.id)]
    return {"method": "monte_carlo", "trials": TRIALS, "min_sample_weeks": MIN_WEEKS,
            "key_results": rows, "objectives": objectives}
