"""Forecast: the chance each key result and objective reaches its target by the cycle's end.

A Monte Carlo over the observed weekly progress deltas (bootstrap with replacement), seeded per
key result so the same facts always give the same figures. The trials run as numpy arrays fed by
the draws `random.Random(seed).choices` would make (forecast_draws), so the figures are those of a
plain-Python simulation, computed a week at a time across all trials.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from okr_core.analysis import forecast_ranges as ranges
from okr_core.analysis.context import WEEK, AnalysisContext, cycle_bounds
from okr_core.analysis.facts import KeyResultFact
from okr_core.analysis.forecast_draws import TrialDraws
from okr_core.rules.pace_check import pace_disagreement
from okr_core.value_format import value_style

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


def simulate(current: float, deltas: list[float], weeks: float,
             uniforms: Callable[[int], np.ndarray]) -> np.ndarray:
    """Final progress of each trial: today's plus sampled weekly deltas for the weeks left.

    `uniforms(n)` gives the seeded generator's next n random() values. The finals equal adding
    `rng.choices(deltas, k=TRIALS)` week by week (choices picks deltas[floor(random() * n)]), the
    additions in the same order.
    """
    whole, part = int(weeks), weeks - int(weeks)
    if len(set(deltas)) == 1:   # one pace observed: every trial ends the same
        return np.full(TRIALS, current + deltas[0] * weeks)
    draws = uniforms(TRIALS * (whole + (1 if part > 0 else 0)))
    picked = np.asarray(deltas, dtype=float)[np.floor(draws * float(len(deltas))).astype(np.intp)]
    picked = picked.reshape(-1, TRIALS)
    finals = np.full(TRIALS, current)
    for week in range(whole):   # a week at a time across all trials, as the sums were made before
        finals = finals + picked[week]
    if part > 0:
        finals = finals + part * picked[whole]
    return finals


def _kr_forecast(ctx: AnalysisContext, kr: KeyResultFact,
                 draws: TrialDraws) -> tuple[dict, np.ndarray | None]:
    """One KR's forecast row and its trial outcomes (None when the data is insufficient)."""
    deltas = weekly_deltas(ctx, kr)
    current = kr.progress or 0.0
    check_in = ctx.latest_check_in(kr.id)
    confidence = check_in.confidence if check_in and check_in.confidence is not None else kr.confidence
    row = {"kr_id": kr.id, "objective_id": kr.objective_id, "sample_weeks": len(deltas),
           "weeks_remaining": round(ctx.weeks_remaining, 1), "reported_status": kr.status,
           "reported_confidence": confidence}
    if current >= REACHED:
        return {**row, **ranges.reached(current)}, np.full(TRIALS, current)
    if len(deltas) < MIN_WEEKS:
        return {**row, **ranges.insufficient()}, None
    seed = f"{SEED}:{kr.id}"
    finals = simulate(current, deltas, ctx.weeks_remaining, lambda count: draws.uniforms(seed, count))
    pace_chance = int(np.count_nonzero(finals >= REACHED)) / TRIALS
    ordered = np.sort(finals).tolist()   # sorted once: the percentiles' sorts then cost nothing
    return {**row, **ranges.estimate(pace_chance, ordered, len(deltas), confidence, kr.status)}, finals


def _objective_forecast(ctx, objective_id: int, outcomes: dict[int, np.ndarray | None]) -> dict:
    """Joint trials of the objective's KRs: all targets reached, and a delivered score."""
    krs = ctx.krs_by_objective.get(objective_id, [])
    row = {"objective_id": objective_id,
           "krs_without_data": sorted(kr.id for kr in krs if outcomes.get(kr.id) is None)}
    if len(row["krs_without_data"]) == len(krs):
        return {**row, "chance_all_targets": None, "chance_delivered": None,
                "insufficient_data": True}
    means = _weighted_trial_means(krs, outcomes)
    return {**row, "chance_all_targets": round(int(np.count_nonzero(means >= REACHED)) / TRIALS, 2),
            "chance_delivered": round(int(np.count_nonzero(means >= DELIVERED)) / TRIALS, 2),
            "insufficient_data": False}


def _weighted_trial_means(krs: list[KeyResultFact], outcomes) -> np.ndarray:
    """Each trial's objective progress: the weighted mean of its KRs' clamped finals."""
    total_weight = sum(kr.weight for kr in krs)
    weights = {kr.id: (kr.weight / total_weight if total_weight > 0 else 1 / len(krs)) for kr in krs}
    means = np.zeros(TRIALS)
    for kr in krs:
        finals = outcomes.get(kr.id)
        if finals is None:   # no data: stays put
            finals = np.full(TRIALS, kr.progress or 0.0)
        means = means + weights[kr.id] * np.clip(finals, 0.0, 1.0)
    return means


def forecast_section(ctx: AnalysisContext) -> dict:
    """The forecast per key result and per objective, with the sample each rests on."""
    rows, outcomes, draws = [], {}, TrialDraws()
    for kr in ctx.facts.key_results:
        row, outcomes[kr.id] = _kr_forecast(ctx, kr, draws)
        rows.append(row)
    objectives = [_objective_forecast(ctx, o.id, outcomes) for o in ctx.facts.objectives
                  if ctx.krs_by_objective.get(o.id)]
    return {"method": "monte_carlo", "trials": TRIALS, "min_sample_weeks": MIN_WEEKS,
            "confidence_weight_weeks": ranges.CONFIDENCE_WEEKS,
            "key_results": rows, "objectives": objectives,
            # Reported status the pace contradicts (in the KR's units), and reported status the
            # forecast's chance contradicts: two readings, both shown.
            "disagreements": status_disagreements(ctx, rows),
            "status_disagreements": [{"kr_id": r["kr_id"], "reported_status": r["reported_status"],
                                      "chance": r["chance"], "interval": r["interval"]}
                                     for r in rows if r.get("status_disagrees")]}


def status_disagreements(ctx: AnalysisContext, rows: list[dict]) -> list[dict]:
    """KRs whose reported status the pace contradicts, with the forecast's chance beside it."""
    chance = {row["kr_id"]: row["chance"] for row in rows}
    found = []
    for kr in ctx.facts.key_results:
        style = value_style(kr.unit, kr.measure, kr.start_value, kr.target_value)
        flag = pace_disagreement(kr.status, kr.progress, ctx.expected, kr.start_value,
                                 kr.target_value, style)
        if flag is not None:
            found.append({"kr_id": kr.id, "objective_id": kr.objective_id,
                          "reported": str(flag.reported), "pace": str(flag.pace),
                          "projected_value": round(flag.projected_value, 2),
                          "chance": chance.get(kr.id), "message": flag.message})
    return found
