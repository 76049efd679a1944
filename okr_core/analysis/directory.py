"""Who and what the sections refer to: titles, owners and teams of the KRs and objectives they name.

Only subjects some section mentions are listed, so the stored analysis stays small on large cycles.
"""
from __future__ import annotations

from okr_core.analysis.context import AnalysisContext

_ID_KEYS = {"kr_id": "key_results", "key_result_ids": "key_results", "kr_ids": "key_results",
            "objective_id": "objectives", "objective_ids": "objectives"}


def _mentioned(value, found: dict[str, set[int]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            kind = _ID_KEYS.get(key)
            if kind and isinstance(item, int):
                found[kind].add(item)
            elif kind and isinstance(item, list):
                found[kind].update(i for i in item if isinstance(i, int))
            else:
                _mentioned(item, found)
    elif isinstance(value, list):
        for item in value:
            _mentioned(item, found)


def directory(ctx: AnalysisContext, sections: dict) -> dict:
    """{"key_results": {id: {...}}, "objectives": {id: {...}}} for every id the sections mention."""
    found: dict[str, set[int]] = {"key_results": set(), "objectives": set()}
    _mentioned(sections, found)
    names, teams = ctx.facts.user_names, ctx.facts.team_names
    krs = {}
    for kr_id in sorted(found["key_results"]):
        kr = ctx.krs.get(kr_id)
        if kr is None:
            continue
        found["objectives"].add(kr.objective_id)
        objective = ctx.objectives.get(kr.objective_id)
        krs[str(kr_id)] = {"title": kr.title, "objective_id": kr.objective_id,
                           "owner": names.get(kr.owner_id) if kr.owner_id else None,
                           "team": teams.get(objective.team_id) if objective and objective.team_id else None}
    objectives = {}
    for objective_id in sorted(found["objectives"]):
        objective = ctx.objectives.get(objective_id)
        if objective is not None:
            objectives[str(objective_id)] = {
                "title": objective.title, "progress": objective.progress,
                "owner": names.get(objective.owner_id) if objective.owner_id else None,
                "team": teams.get(objective.team_id) if objective.team_id else None}
    return {"key_results": krs, "objectives": objectives}
