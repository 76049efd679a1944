"""Views for each role, as the guide lists them, computed from the other sections.

- Leadership: portfolio risk score per objective, cross-team dependencies and bottlenecks, reallocation.
- Team leads (per team): workload balance across owners, blocker patterns to escalate, 1:1 talking points.
- Contributors (per owner): their KRs against their team's and the company's average progress, and
  where one more finished item moves a KR most (its gap over its open linked items).
"""
from __future__ import annotations

from collections import defaultdict
from statistics import mean

from okr_core.analysis.context import AnalysisContext

LIMIT = 10


def _team_of(ctx: AnalysisContext, kr_id: int) -> int | None:
    objective = ctx.objectives.get(ctx.krs[kr_id].objective_id)
    return objective.team_id if objective else None


def _portfolio(ctx: AnalysisContext, forecast: dict) -> list[dict]:
    """Risk 0-100 per objective: 100 x the chance it is not delivered (0.7+), from the forecast."""
    rows = []
    for row in forecast["objectives"]:
        if row["chance_delivered"] is None:
            continue
        objective = ctx.objectives[row["objective_id"]]
        rows.append({"objective_id": objective.id, "team_id": objective.team_id,
                     "risk_score": round(100 * (1 - row["chance_delivered"])), "progress": objective.progress})
    return sorted(rows, key=lambda r: (-r["risk_score"], r["objective_id"]))[:LIMIT]


def leadership(ctx: AnalysisContext, sections: dict) -> dict:
    dependencies = sections["alignment"]["dependencies"]
    return {"portfolio_risk": _portfolio(ctx, sections["forecast"]),
            "cross_team_dependencies": dependencies["cross_team"][:LIMIT],
            "bottleneck_items": dependencies["bottleneck_items"][:LIMIT],
            "reallocation": sections["recommendations"]["reallocation"]}


def _topics(sections: dict) -> list[tuple[str, set[int]]]:
    """The KRs each 1:1 topic concerns, in the order talking points list them (built once)."""
    rows = (("behind_plan", sections["key_results"]["at_risk"]), ("stalled", sections["key_results"]["stalled"]),
            ("status_vs_forecast", sections["forecast"]["status_disagreements"]),
            ("win", sections["key_results"]["high_performers"]))
    return [(topic, {row["kr_id"] for row in members}) for topic, members in rows]


def _talking_points(kr_ids: list[int], topics) -> list[dict]:
    return [{"kr_id": kr_id, "topic": topic} for kr_id in kr_ids for topic, members in topics
            if kr_id in members]


def team_leads(ctx: AnalysisContext, sections: dict) -> list[dict]:
    by_team: dict[int, dict[int | None, list[int]]] = defaultdict(lambda: defaultdict(list))
    for kr in ctx.facts.key_results:
        team = _team_of(ctx, kr.id)
        if team is not None:
            by_team[team][kr.owner_id].append(kr.id)
    topics = _topics(sections)
    views = []
    for team, owners in sorted(by_team.items()):
        team_krs = {k for ids in owners.values() for k in ids}
        workload = [{"owner_id": owner, "key_results": len(ids),
                     "mean_progress": round(mean(ctx.shown_progress(ctx.krs[k]) for k in ids), 3)}
                    for owner, ids in sorted(owners.items(), key=lambda kv: (-len(kv[1]), kv[0] or 0))]
        counts = [row["key_results"] for row in workload]
        escalate = [{"phrase": g["phrase"], "count": g["count"], "kr_ids": sorted(team_krs & set(g["kr_ids"]))}
                    for g in sections["blockers"]["recurring"] if team_krs & set(g["kr_ids"])]
        views.append({"team_id": team, "workload": workload,
                      "workload_spread": max(counts) - min(counts) if counts else 0,
                      "blockers_to_escalate": escalate[:LIMIT],
                      "talking_points": {str(owner): _talking_points(ids, topics)
                                         for owner, ids in owners.items() if owner is not None}})
    return views


def _move_per_item(ctx: AnalysisContext) -> dict[int, float]:
    """Gap to target over open linked items: what finishing one more item is worth to each KR."""
    open_items: dict[int, int] = defaultdict(int)
    for item in ctx.facts.items:
        if item.status_category != "done":
            for kr_id in item.kr_ids:
                open_items[kr_id] += 1
    return {kr_id: round((1 - ctx.shown_progress(ctx.krs[kr_id])) / count, 3)
            for kr_id, count in open_items.items() if kr_id in ctx.krs}


def contributors(ctx: AnalysisContext) -> list[dict]:
    company = [ctx.shown_progress(kr) for kr in ctx.facts.key_results]
    team_progress: dict[int | None, list[float]] = defaultdict(list)
    by_owner: dict[int, list[int]] = defaultdict(list)
    for kr in ctx.facts.key_results:
        team_progress[_team_of(ctx, kr.id)].append(ctx.shown_progress(kr))
        if kr.owner_id is not None:
            by_owner[kr.owner_id].append(kr.id)
    moves = _move_per_item(ctx)
    team_average = {team: round(mean(values), 3) for team, values in team_progress.items()}
    company_average = round(mean(company), 3) if company else None
    views = []
    for owner, ids in sorted(by_owner.items()):
        rows = [{"kr_id": k, "progress": round(ctx.shown_progress(ctx.krs[k]), 3),
                 "team_average": team_average[_team_of(ctx, k)],
                 "move_per_item": moves.get(k)} for k in ids]
        focus = max((r for r in rows if r["move_per_item"]), key=lambda r: r["move_per_item"], default=None)
        views.append({"owner_id": owner, "key_results": rows, "company_average": company_average,
                      "most_moved_by_next_item": focus["kr_id"] if focus else None})
    return views


def views_section(ctx: AnalysisContext, sections: dict) -> dict:
    """The "views" section: one part per role."""
    return {"leadership": leadership(ctx, sections), "team_leads": team_leads(ctx, sections),
            "contributors": contributors(ctx)}
