"""Strategic recommendations drawn from the computed sections; every one names its subjects."""
from __future__ import annotations

from collections import Counter

from okr_core.analysis.context import AnalysisContext

QUICK_WIN_FROM = 0.8       # near complete: 80% or more of the way
LOW_CONFIDENCE = 3         # confidence 0-10; 3 or less is low
LIMIT = 5


def recommendation(kind: str, action: str, *, kr_ids=(), objective_ids=(), team_ids=(),
                   **figures) -> dict:
    """One recommendation in the shape the panel links from."""
    return {"kind": kind, "action": action, "key_result_ids": sorted(set(kr_ids)),
            "objective_ids": sorted(set(objective_ids)), "team_ids": sorted(set(team_ids)),
            **figures}


def _team_of(ctx: AnalysisContext, kr_id: int) -> int | None:
    objective = ctx.objectives.get(ctx.krs[kr_id].objective_id)
    return objective.team_id if objective else None


def reallocation(ctx: AnalysisContext, kr_section: dict) -> list[dict]:
    """From the team with the most KRs ahead toward each team with KRs behind."""
    ahead = Counter(_team_of(ctx, row["kr_id"]) for row in kr_section["high_performers"])
    ahead.pop(None, None)
    behind: dict[int, list[dict]] = {}
    for row in kr_section["at_risk"]:
        team = _team_of(ctx, row["kr_id"])
        if team is not None:
            behind.setdefault(team, []).append(row)
    found = []
    for team, rows in sorted(behind.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:LIMIT]:
        donors = [t for t, _ in sorted(ahead.items(), key=lambda kv: (-kv[1], kv[0])) if t != team]
        if donors:
            found.append(recommendation(
                "reallocation", "shift_capacity", kr_ids=[r["kr_id"] for r in rows],
                objective_ids=[r["objective_id"] for r in rows], team_ids=[donors[0], team],
                from_team_id=donors[0], to_team_id=team, krs_behind=len(rows)))
    return found


def risk_mitigation(ctx: AnalysisContext, kr_section: dict, blockers: dict) -> list[dict]:
    """For the worst at-risk KRs: escalate their blockers, or review scope and resources."""
    found = []
    for row in kr_section["at_risk"][:LIMIT]:
        phrases = [g["phrase"] for g in blockers["recurring"] if row["kr_id"] in g["kr_ids"]]
        action = "escalate_blockers" if phrases else "review_scope_or_resources"
        found.append(recommendation(
            "risk_mitigation", action, kr_ids=[row["kr_id"]], objective_ids=[row["objective_id"]],
            team_ids=[t for t in [_team_of(ctx, row["kr_id"])] if t is not None],
            status=row["status"], gap=row["gap"], blocker_phrases=phrases[:3]))
    return found


def quick_wins(ctx: AnalysisContext) -> list[dict]:
    """Near-complete KRs that one push would finish."""
    near = [kr for kr in ctx.facts.key_results
            if QUICK_WIN_FROM <= ctx.shown_progress(kr) < 1 and kr.final_score is None]
    near.sort(key=lambda kr: (-ctx.shown_progress(kr), kr.id))
    return [recommendation("quick_win", "finish_and_celebrate", kr_ids=[kr.id],
                           objective_ids=[kr.objective_id],
                           progress=round(ctx.shown_progress(kr), 3)) for kr in near[:LIMIT]]


def sunset_candidates(ctx: AnalysisContext, kr_section: dict) -> list[dict]:
    """Stalled KRs whose owners no longer believe in them (confidence 3 or less)."""
    rows = [row for row in kr_section["stalled"]
            if row["confidence"] is not None and row["confidence"] <= LOW_CONFIDENCE]
    return [recommendation("sunset", "retire_or_rewrite", kr_ids=[row["kr_id"]],
                           objective_ids=[row["objective_id"]], days_idle=row["days_idle"],
                           confidence=row["confidence"]) for row in rows[:LIMIT]]


def next_cycle(kr_section: dict, alignment: dict, blockers: dict) -> list[dict]:
    """What to change when setting the next cycle's OKRs."""
    found = []
    achievability = kr_section["achievability"]
    if achievability["verdict"] == "above_sweet_spot":
        found.append(recommendation("next_cycle", "raise_ambition",
                                    kr_ids=achievability["not_ambitious_ids"],
                                    projected_score=achievability["projected_score"]))
    elif achievability["verdict"] == "below_sweet_spot":
        found.append(recommendation("next_cycle", "set_fewer_or_reachable_targets",
                                    kr_ids=achievability["too_ambitious_ids"],
                                    projected_score=achievability["projected_score"]))
    concentration = alignment["concentration"]
    if concentration["scattered_team_ids"] or concentration["scattered_owner_ids"]:
        found.append(recommendation("next_cycle", "reduce_objectives",
                                    team_ids=concentration["scattered_team_ids"],
                                    owner_ids=concentration["scattered_owner_ids"]))
    if alignment["alignment"]["orphan_ids"]:
        found.append(recommendation("next_cycle", "align_to_parent_objectives",
                                    objective_ids=alignment["alignment"]["orphan_ids"]))
    if alignment["competing_items"]["count"]:
        items = alignment["competing_items"]["items"]
        found.append(recommendation("next_cycle", "resolve_priority_conflicts",
                                    kr_ids=[k for row in items for k in row["kr_ids"]],
                                    items=alignment["competing_items"]["count"]))
    for group in blockers["recurring"][:2]:
        found.append(recommendation("next_cycle", "plan_around_recurring_blocker",
                                    kr_ids=group["kr_ids"], phrase=group["phrase"],
                                    blocker_kind=group["kind"], mentions=group["count"]))
    return found


def recommendations_section(ctx: AnalysisContext, kr_section: dict, alignment: dict,
                            blockers: dict) -> dict:
    """The "Strategic Recommendations" section."""
    return {"reallocation": reallocation(ctx, kr_section),
            "risk_mitigation": risk_mitigation(ctx, kr_section, blockers),
            "quick_wins": quick_wins(ctx),
            "sunset_candidates": sunset_candidates(ctx, kr_section),
            "next_cycle": next_cycle(kr_section, alignment, blockers)}
