"""The cycle tree as JSON: objectives and KRs nested by alignment, built straight from rows."""
from __future__ import annotations

from sqlalchemy import Row

from okr_core.tree import ObjectiveBranch, assemble
from okr_core.visibility import visible_ids
from api.auth import current_viewer
from api.schemas import KeyResultOut, ObjectiveOut
from plumbing.db import request_session

# Every field of these two response models is a column, so a row's mapping already is the
# response; skipping per-row pydantic validation roughly halves the tree's serializing time
# on a 300-objective, 1,000-KR cycle (bench/api.py). Tests validate the output against CycleTree.
OBJECTIVE_FIELDS = tuple(ObjectiveOut.model_fields)
KEY_RESULT_FIELDS = tuple(KeyResultOut.model_fields)


def row_dict(row: Row, fields: tuple[str, ...]) -> dict:
    mapping = row._mapping
    return {name: mapping[name] for name in fields}


def tree_json(objectives: list[Row], krs: list[Row]) -> list[dict]:
    """Nested objective dicts with their KRs; a root never names a parent the caller cannot see.

    Values stay Python objects (dates, enums): serialize with pydantic_core.to_json.
    """
    by_id = {o.id: {**row_dict(o, OBJECTIVE_FIELDS), "key_results": [], "children": []}
             for o in objectives}
    for kr in krs:
        by_id[kr.objective_id]["key_results"].append(row_dict(kr, KEY_RESULT_FIELDS))
    roots = [_nest(branch, by_id) for branch in assemble(objectives, [])]
    # A root's parent is hidden or archived: name it only when the caller may see it.
    shown = visible_ids(request_session(), current_viewer(), {r["parent_id"] for r in roots})
    for root in roots:
        if root["parent_id"] not in shown:
            root["parent_id"] = None
    return roots


def _nest(branch: ObjectiveBranch, by_id: dict[int, dict]) -> dict:
    data = by_id[branch.objective.id]
    data["children"] = [_nest(child, by_id) for child in branch.children]
    return data
