"""Alignment and focus: aligned share, orphans, concentration, dependencies, competing items."""
from __future__ import annotations

from collections import Counter, defaultdict

from okr_core.analysis.context import AnalysisContext
from okr_core.analysis.facts import ItemFact
from okr_core.rules.practices import OBJECTIVES_PER_LEVEL

OBJECTIVE_LIMIT = OBJECTIVES_PER_LEVEL[1]   # guide: "Limit to 3-5 per level"
BOTTLENECK_MIN_BLOCKED = 3                   # blocking three or more items makes a bottleneck
CLOSED = ("done", "canceled")
LIST_LIMIT = 20


def alignment(ctx: AnalysisContext) -> dict:
    """Share of non-company objectives aligned to a parent, and the orphans that are not."""
    candidates = [o for o in ctx.facts.objectives if o.level != "company"]
    orphans = sorted(o.id for o in candidates if o.parent_id is None)
    share = None if not candidates else round(1 - len(orphans) / len(candidates), 3)
    return {"aligned_share": share, "objectives_considered": len(candidates),
            "orphan_ids": orphans}


def _counts(keyed: Counter, key_name: str) -> list[dict]:
    return [{key_name: key, "objectives": count, "over_limit": count > OBJECTIVE_LIMIT}
            for key, count in sorted(keyed.items(), key=lambda kv: (-kv[1], kv[0]))]


def concentration(ctx: AnalysisContext) -> dict:
    """Objectives per owner and per team against the guide's limit of five."""
    owners = Counter(o.owner_id for o in ctx.facts.objectives if o.owner_id is not None)
    teams = Counter(o.team_id for o in ctx.facts.objectives if o.team_id is not None)
    per_owner, per_team = _counts(owners, "owner_id"), _counts(teams, "team_id")
    return {"limit": OBJECTIVE_LIMIT, "per_owner": per_owner, "per_team": per_team,
            "scattered_owner_ids": [row["owner_id"] for row in per_owner if row["over_limit"]],
            "scattered_team_ids": [row["team_id"] for row in per_team if row["over_limit"]]}


def _item_teams(ctx: AnalysisContext, item: ItemFact) -> set[int]:
    """Teams owning the objectives of the KRs an item counts toward."""
    teams = set()
    for kr_id in item.kr_ids:
        objective = ctx.objectives.get(ctx.krs[kr_id].objective_id) if kr_id in ctx.krs else None
        if objective is not None and objective.team_id is not None:
            teams.add(objective.team_id)
    return teams


def open_relations(ctx: AnalysisContext) -> list[tuple[ItemFact, ItemFact]]:
    """(blocker, blocked) pairs between linked items that are both still open."""
    by_ref = {(i.connection_id, i.external_id): i for i in ctx.facts.items}
    pairs = []
    for relation in ctx.facts.relations:
        blocker = by_ref.get((relation.connection_id, relation.blocker_external_id))
        blocked = by_ref.get((relation.connection_id, relation.blocked_external_id))
        if blocker and blocked and blocker.status_category not in CLOSED \
                and blocked.status_category not in CLOSED:
            pairs.append((blocker, blocked))
    return pairs


def dependencies(ctx: AnalysisContext) -> dict:
    """Cross-team blocking between linked items, and the items and teams that block many."""
    edges: dict[tuple[int, int], dict] = {}
    blocked_by_item: dict[int, set[int]] = defaultdict(set)
    blocked_by_team: dict[int, set[int]] = defaultdict(set)
    items = {}
    for blocker, blocked in open_relations(ctx):
        items[blocker.id] = blocker
        blocked_by_item[blocker.id].add(blocked.id)
        for from_team in _item_teams(ctx, blocker):
            for to_team in _item_teams(ctx, blocked) - {from_team}:
                edge = edges.setdefault((from_team, to_team), {
                    "blocking_team_id": from_team, "blocked_team_id": to_team, "count": 0,
                    "item_pairs": [], "blocked_kr_ids": set()})
                edge["count"] += 1
                edge["item_pairs"].append([blocker.key, blocked.key])
                edge["blocked_kr_ids"].update(blocked.kr_ids)
                blocked_by_team[from_team].add(blocked.id)
    cross = sorted(edges.values(), key=lambda e: (-e["count"], e["blocking_team_id"]))
    for edge in cross:
        edge["blocked_kr_ids"] = sorted(edge["blocked_kr_ids"])
        edge["item_pairs"] = edge["item_pairs"][:LIST_LIMIT]
    return {"cross_team": cross, "bottleneck_items": _item_bottlenecks(items, blocked_by_item),
            "bottleneck_teams": [{"team_id": t, "blocks_items": len(ids)}
                                 for t, ids in sorted(blocked_by_team.items())
                                 if len(ids) >= BOTTLENECK_MIN_BLOCKED]}


def _item_bottlenecks(items: dict[int, ItemFact], blocked_by_item: dict[int, set[int]]) -> list:
    """Items blocking at least three open linked items, most blocking first."""
    rows = [{"item_id": item_id, "key": items[item_id].key, "blocks_items": len(blocked),
             "kr_ids": sorted(items[item_id].kr_ids)}
            for item_id, blocked in blocked_by_item.items()
            if len(blocked) >= BOTTLENECK_MIN_BLOCKED]
    return sorted(rows, key=lambda row: (-row["blocks_items"], row["item_id"]))[:LIST_LIMIT]


def competing_items(ctx: AnalysisContext) -> dict:
    """Items counted toward key results of more than one objective."""
    rows = []
    for item in ctx.facts.items:
        objectives = {ctx.krs[k].objective_id for k in item.kr_ids if k in ctx.krs}
        if len(objectives) > 1:
            rows.append({"item_id": item.id, "key": item.key, "kr_ids": sorted(item.kr_ids),
                         "objective_ids": sorted(objectives)})
    rows.sort(key=lambda row: (-len(row["objective_ids"]), row["item_id"]))
    return {"count": len(rows), "items": rows[:LIST_LIMIT]}


def alignment_section(ctx: AnalysisContext) -> dict:
    """The "Alignment & Focus" section."""
    return {"alignment": alignment(ctx), "concentration": concentration(ctx),
            "dependencies": dependencies(ctx), "competing_items": competing_items(ctx)}
