"""Overall progress: health score, status breakdown and its trend, velocity, earlier cycles."""
from __future__ import annotations

from datetime import datetime

from okr_core.analysis.context import WEEK, AnalysisContext, cycle_bounds
from okr_core.analysis.facts import KeyResultFact
from okr_core.rules import clamp_progress, expected_progress, pace_status

STATUS_POINTS = {"on_track": 1.0, "at_risk": 0.5, "off_track": 0.0}
STATUSES = ("on_track", "at_risk", "off_track")


def weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    """Mean of (weight, value) pairs; all-zero weights fall back to a plain mean."""
    if not pairs:
        return None
    total = sum(weight for weight, _ in pairs)
    if total <= 0:
        return sum(value for _, value in pairs) / len(pairs)
    return sum(weight * value for weight, value in pairs) / total


def kr_health(progress: float | None, status: str, expected: float) -> float:
    """Half pace attainment (progress / expected, capped at 1), half status points."""
    attainment = 1.0 if expected <= 0 else min(1.0, clamp_progress(progress) / expected)
    return (attainment + STATUS_POINTS.get(status, 0.0)) / 2


def health_score(rows: list[tuple[float, float | None, str]], expected: float) -> int | None:
    """0-100 from (weight, progress, status) rows; None without judged key results.

    KRs not started yet (no value) are not judged, so they are left out rather than counted red.
    """
    judged = [(w, p, s) for w, p, s in rows if s in STATUS_POINTS]
    mean = weighted_mean([(w, kr_health(p, s, expected)) for w, p, s in judged])
    return None if mean is None else round(100 * mean)


def _breakdown(status_by_id: dict[int, str]) -> dict:
    """Counts and ids per status."""
    ids = {status: sorted(i for i, s in status_by_id.items() if s == status) for status in STATUSES}
    return {"counts": {s: len(ids[s]) for s in STATUSES}, "ids": ids}


def _objective_statuses(ctx: AnalysisContext, progress_of, expected: float) -> dict[int, str]:
    """Each objective's status from its progress against the expected progress.

    An objective whose key results are all not started has nothing to judge yet.
    """
    statuses = {}
    for objective in ctx.objectives.values():
        krs = ctx.krs_by_objective.get(objective.id, [])
        if krs and all(kr.status == "not_started" for kr in krs):
            continue
        value = progress_of(objective)
        if value is not None:
            statuses[objective.id] = str(pace_status(clamp_progress(value), expected))
    return statuses


def status_then(ctx: AnalysisContext, kr: KeyResultFact, moment: datetime, expected: float) -> str:
    """The KR's status at `moment`: pace, unless a check-in since its last progress change."""
    value = ctx.progress_then(kr, moment)
    times, _ = ctx.series_by_kr.get(kr.id, ([], []))
    last_change = max((t for t in times if t <= moment), default=None)
    check_in = ctx.latest_check_in(kr.id, before=moment)
    if check_in and check_in.status and (last_change is None or check_in.created_at >= last_change):
        return check_in.status
    return str(pace_status(None if value is None else clamp_progress(value), expected))


def _state_now(ctx: AnalysisContext) -> dict:
    """Score and breakdown from the stored progress and status."""
    krs = ctx.facts.key_results
    score = health_score([(kr.weight, kr.progress, kr.status) for kr in krs], ctx.expected)
    objectives = _objective_statuses(ctx, lambda o: o.progress, ctx.expected)
    return {"score": score, "key_results": _breakdown({kr.id: kr.status for kr in krs}),
            "objectives": _breakdown(objectives)}


def _state_at(ctx: AnalysisContext, moment: datetime) -> dict:
    """Score and breakdown rebuilt from snapshots and check-ins as they stood at `moment`."""
    cycle = ctx.facts.cycle
    expected = expected_progress(cycle.start_date, cycle.end_date, moment)
    statuses = {kr.id: status_then(ctx, kr, moment, expected) for kr in ctx.facts.key_results}
    progress = {kr.id: ctx.progress_then(kr, moment) for kr in ctx.facts.key_results}
    rows = [(kr.weight, progress[kr.id], statuses[kr.id]) for kr in ctx.facts.key_results]

    def objective_then(objective):
        krs = ctx.krs_by_objective.get(objective.id, [])
        return weighted_mean([(kr.weight, clamp_progress(progress[kr.id])) for kr in krs])

    return {"score": health_score(rows, expected), "key_results": _breakdown(statuses),
            "objectives": _breakdown(_objective_statuses(ctx, objective_then, expected))}


def _trend(ctx: AnalysisContext, now_state: dict) -> dict | None:
    """Today against a week earlier; None when the cycle is not a week old."""
    moment = ctx.facts.now - WEEK
    if moment < cycle_bounds(ctx.facts)[0] or now_state["score"] is None:
        return None
    then = _state_at(ctx, moment)
    if then["score"] is None:  # nothing was judged a week ago: no trend to compare with
        return None
    delta = now_state["score"] - then["score"]
    return {"previous_score": then["score"], "delta": delta,
            "direction": "up" if delta > 0 else "down" if delta < 0 else "flat",
            "previous_key_results": then["key_results"]["counts"],
            "previous_objectives": then["objectives"]["counts"]}


def velocity(ctx: AnalysisContext) -> dict:
    """Mean progress gained per week so far and last week, against what the rest needs."""
    krs = ctx.facts.key_results
    mean_now = weighted_mean([(kr.weight, ctx.shown_progress(kr)) for kr in krs]) or 0.0
    week_ago = ctx.facts.now - WEEK
    mean_then = weighted_mean([(kr.weight, clamp_progress(ctx.progress_then(kr, week_ago)))
                               for kr in krs]) or 0.0
    per_week = mean_now / ctx.weeks_elapsed if ctx.weeks_elapsed >= 1 / 7 else None
    needed = (1 - mean_now) / ctx.weeks_remaining if ctx.weeks_remaining > 0 else None
    ratio = per_week / needed if per_week is not None and needed else None
    return {"mean_progress": round(mean_now, 3),
            "progress_per_week": None if per_week is None else round(per_week, 3),
            "last_week_progress": round(mean_now - mean_then, 3),
            "needed_per_week": None if needed is None else round(needed, 3),
            "pace_ratio": None if ratio is None else round(ratio, 2),
            "weeks_elapsed": round(ctx.weeks_elapsed, 1),
            "weeks_remaining": round(ctx.weeks_remaining, 1)}


def earlier_cycles(ctx: AnalysisContext, projected_score: float | None) -> dict:
    """Average final score of each earlier closed cycle, and the current projection against them."""
    past = [{"cycle_id": c.id, "name": c.name, "objectives": len(c.objective_scores),
             "average_score": round(sum(c.objective_scores) / len(c.objective_scores), 2)}
            for c in sorted(ctx.facts.past_cycles, key=lambda c: c.end_date)
            if c.objective_scores]
    baseline = round(sum(p["average_score"] for p in past) / len(past), 2) if past else None
    delta = None
    if baseline is not None and projected_score is not None:
        delta = round(projected_score - baseline, 2)
    return {"cycles": past, "average_score": baseline, "projected_score": projected_score,
            "delta": delta}


def health_section(ctx: AnalysisContext, projected_score: float | None) -> dict:
    """The "Overall Progress Assessment" section."""
    now_state = _state_now(ctx)
    return {**now_state, "expected_progress": round(ctx.expected, 3),
            "trend": _trend(ctx, now_state), "velocity": velocity(ctx),
            "comparison": earlier_cycles(ctx, projected_score)}
