"""Key results analysis: high performers, at risk, stalled, achievability."""
from __future__ import annotations

from datetime import timedelta

from okr_core.analysis.context import AnalysisContext
from okr_core.analysis.facts import KeyResultFact
from okr_core.analysis.health import weighted_mean
from okr_core.rules import round_score

STALL_AFTER = timedelta(days=14)      # spec: no progress and no check-in for 14 days
AHEAD_RATIO = 1.2                    # 20% ahead of the calendar counts as exceeding expectations
MIN_EXPECTED_TO_PROJECT = 0.1        # before 10% of the cycle, a projection is noise
SWEET_SPOT = (0.7, 0.8)              # guide: "Aim for 0.7-0.8 average"
LIST_LIMIT = 10
WIN_CHARS = 200                      # success factors: the owner's latest "wins", shortened


def pace_ratio(ctx: AnalysisContext, kr: KeyResultFact) -> float | None:
    """Progress over expected progress; None before the cycle has started."""
    return ctx.shown_progress(kr) / ctx.expected if ctx.expected > 0 else None


def high_performers(ctx: AnalysisContext) -> list[dict]:
    """KRs done or well ahead of the calendar, best first, with how many check-ins named wins."""
    found = []
    for kr in ctx.facts.key_results:
        ratio = pace_ratio(ctx, kr)
        if ctx.shown_progress(kr) >= 1 or (ratio is not None and ratio >= AHEAD_RATIO):
            wins = [c.wins.strip() for c in ctx.check_ins_by_kr.get(kr.id, []) if c.wins.strip()]
            found.append({"kr_id": kr.id, "objective_id": kr.objective_id,
                          "progress": round(ctx.shown_progress(kr), 3),
                          "pace_ratio": None if ratio is None else round(ratio, 2),
                          "check_ins_with_wins": len(wins),
                          "latest_win": wins[-1][:WIN_CHARS] if wins else None})
    found.sort(key=lambda row: (-row["progress"], row["kr_id"]))
    return found[:LIST_LIMIT]


def _weight_share(ctx: AnalysisContext, kr: KeyResultFact) -> float:
    """The KR's share of its objective's weight: how much of the objective it moves."""
    siblings = ctx.krs_by_objective.get(kr.objective_id, [kr])
    total = sum(s.weight for s in siblings)
    return kr.weight / total if total > 0 else 1 / len(siblings)


def at_risk(ctx: AnalysisContext) -> list[dict]:
    """At-risk and off-track KRs, largest weighted gap to the calendar first."""
    found = []
    for kr in ctx.facts.key_results:
        if kr.status not in ("at_risk", "off_track"):
            continue
        gap = max(0.0, ctx.expected - ctx.shown_progress(kr))
        share = _weight_share(ctx, kr)
        found.append({"kr_id": kr.id, "objective_id": kr.objective_id, "status": kr.status,
                      "progress": round(ctx.shown_progress(kr), 3), "gap": round(gap, 3),
                      "objective_weight_share": round(share, 2), "confidence": kr.confidence})
    found.sort(key=lambda row: (-row["gap"] * row["objective_weight_share"], row["kr_id"]))
    return found


def last_activity(ctx: AnalysisContext, kr: KeyResultFact):
    """The later of the last progress change and the last check-in (creation when neither)."""
    check_in = ctx.latest_check_in(kr.id)
    moments = [kr.last_progress_change_at, check_in.created_at if check_in else None]
    known = [m for m in moments if m is not None]
    return max(known) if known else kr.created_at


def stalled(ctx: AnalysisContext) -> list[dict]:
    """Unfinished KRs with no progress change and no check-in for 14 days."""
    found = []
    for kr in ctx.facts.key_results:
        since = last_activity(ctx, kr)
        if ctx.shown_progress(kr) >= 1 or since is None:
            continue
        idle = ctx.facts.now - since
        if idle >= STALL_AFTER:
            found.append({"kr_id": kr.id, "objective_id": kr.objective_id,
                          "days_idle": idle.days, "confidence": kr.confidence,
                          "progress": round(ctx.shown_progress(kr), 3)})
    found.sort(key=lambda row: (-row["days_idle"], row["kr_id"]))
    return found


def projected_score(ctx: AnalysisContext, kr: KeyResultFact) -> float | None:
    """The final score if the KR keeps its pace: the final score once scored."""
    if kr.final_score is not None:
        return kr.final_score
    if kr.target_value is None or ctx.expected < MIN_EXPECTED_TO_PROJECT:
        return None
    return round_score(min(1.0, ctx.shown_progress(kr) / ctx.expected))


def sweet_spot_verdict(score: float | None) -> str:
    """Where a projected average score falls against the guide's 0.7-0.8 sweet spot."""
    if score is None:
        return "too_early"
    low, high = SWEET_SPOT
    if score < low:
        return "below_sweet_spot"
    return "sweet_spot" if score <= high else "above_sweet_spot"


def achievability(ctx: AnalysisContext) -> dict:
    """Projected final scores per KR and for the cycle, judged against the sweet spot."""
    projected = {kr.id: projected_score(ctx, kr) for kr in ctx.facts.key_results}
    known = [(kr.weight, projected[kr.id]) for kr in ctx.facts.key_results
             if projected[kr.id] is not None]
    mean = weighted_mean(known)
    cycle_score = None if mean is None else round(mean, 2)
    return {"projected_score": cycle_score, "verdict": sweet_spot_verdict(cycle_score),
            "sweet_spot": list(SWEET_SPOT),
            "not_ambitious_ids": sorted(i for i, s in projected.items() if s == 1.0),
            "too_ambitious_ids": sorted(i for i, s in projected.items()
                                        if s is not None and s < 0.4),
            "per_key_result": {str(i): s for i, s in sorted(projected.items())}}


def key_results_section(ctx: AnalysisContext) -> dict:
    """The "Key Results Analysis" section."""
    return {"high_performers": high_performers(ctx), "at_risk": at_risk(ctx),
            "stalled": stalled(ctx), "achievability": achievability(ctx)}
