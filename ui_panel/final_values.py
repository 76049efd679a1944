"""End-of-quarter scoring (guide): each KR's final achieved value, typed on the close page."""
from __future__ import annotations

from flask import request

from okr_core.checkins import CheckInFields, record_check_in
from okr_core.domain import Measure
from okr_core.models import KeyResult, Objective, utcnow
from ui_panel.kr_forms import parse_number


def field_name(kr_id: int) -> str:
    return f"final-{kr_id}"


def read_final_values(krs: list[KeyResult]) -> tuple[dict[int, float], dict[int, str], dict]:
    """(values, errors, what was typed) for the manual KRs; linked KRs keep their work's count."""
    values, errors, typed = {}, {}, {}
    for kr in krs:
        if kr.measure != Measure.MANUAL or field_name(kr.id) not in request.form:
            continue
        typed[kr.id] = request.form[field_name(kr.id)]
        try:
            value = parse_number(typed[kr.id])
        except ValueError as exc:
            errors[kr.id] = str(exc)
            continue
        if value is not None:
            values[kr.id] = value
    return values, errors, typed


def record_final_values(session, krs: list[KeyResult], objectives: list[Objective],
                        values: dict[int, float], author_id: int) -> None:
    """Each changed final value becomes a check-in, so history and progress show it."""
    by_id = {o.id: o for o in objectives}
    now = utcnow()
    for kr in krs:
        if kr.id in values and values[kr.id] != kr.current_value:
            record_check_in(session, kr, by_id[kr.objective_id], author_id,
                            CheckInFields(value=values[kr.id], note="Final value at close"), now)
