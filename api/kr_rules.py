"""The key result rules of okr_core applied to API input: defaults, and 422s naming the field."""
from __future__ import annotations

from sqlalchemy import select

from okr_core.models import KeyResult, Objective
from okr_core.rules import key_result_problems, with_measure_defaults
from api.errors import ApiError
from plumbing.db import request_session

NUMBERS = ("start_value", "target_value", "unit")


def checked_key_result_fields(fields: dict, objective: Objective,
                              kr: KeyResult | None = None) -> dict:
    """The fields to write, with ratio defaults filled in; ApiError 422 when the numbers break a rule.

    For a change, fields not sent keep the key result's stored values, and a change that sends
    none of the numbers (a new title) is not held up by numbers stored before these rules.
    """
    if kr is not None and not {*NUMBERS, "measure"} & fields.keys():
        return fields
    stored = {} if kr is None else {name: getattr(kr, name) for name in (*NUMBERS, "measure")}
    merged = {**stored, **fields}
    completed = with_measure_defaults(merged, merged.get("measure"))
    problems = key_result_problems(completed.get("measure") or "manual",
                                   completed.get("start_value", 0.0),
                                   completed.get("target_value"), draft=not objective.published)
    if problems:
        raise ApiError(422, "invalid_fields", " ".join(problems.values()), problems)
    added = {name: value for name, value in completed.items()
             if name in NUMBERS and merged.get(name) != value}
    return {**fields, **added}


def ensure_publishable(objective: Objective) -> None:
    """Refuse to publish an objective while one of its key results has no numeric target."""
    missing = request_session().scalars(select(KeyResult.title).where(
        KeyResult.objective_id == objective.id, KeyResult.target_value.is_(None))).all()
    if missing:
        names = ", ".join(f'"{title}"' for title in missing)
        raise ApiError(422, "invalid_fields",
                       f"give {names} a numeric target before publishing: key results without "
                       "one stay drafts", {"published": "key results without a numeric target"})
