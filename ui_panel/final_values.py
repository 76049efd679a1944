"""End-of-quarter scoring (guide): each KR's final achieved value and a note, typed on the
close page (admins, every KR) or by the KR's owner while the cycle is closing."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import request

from okr_core.checkins import CheckInFields, record_check_in
from okr_core.domain import Measure
from okr_core.models import KeyResult, Objective, utcnow
from ui_panel.checkin_form import MAX_TEXT
from ui_panel.field_words import too_long
from ui_panel.form_rules import MARKUP
from ui_panel.kr_forms import parse_number

NOTE_PREFIX = "Final value at close"


def field_name(kr_id: int) -> str:
    return f"final-{kr_id}"


def note_name(kr_id: int) -> str:
    return f"final-note-{kr_id}"


@dataclass
class FinalValues:
    """What the close form sent: values and notes per KR, errors per field name, the typing."""
    values: dict[int, float] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)


def named_key_results() -> set[int]:
    """The KR ids the form's final-value and note fields name (to refuse others' KRs)."""
    named = set()
    for name in request.form:
        digits = name.removeprefix("final-note-").removeprefix("final-")
        if name.startswith("final-") and digits.isdigit():
            named.add(int(digits))
    return named


def read_final_values(krs: list[KeyResult]) -> FinalValues:
    """The manual KRs' typed final values and notes; linked KRs keep their work's count."""
    sent = FinalValues()
    for kr in krs:
        if kr.measure != Measure.MANUAL:
            continue
        value_text = request.form.get(field_name(kr.id))
        note_text = request.form.get(note_name(kr.id))
        if value_text is not None:
            sent.typed[field_name(kr.id)] = value_text
            try:
                value = parse_number(value_text)
            except ValueError as exc:
                sent.errors[field_name(kr.id)] = str(exc)
                value = None
            if value is not None:
                sent.values[kr.id] = value
        if note_text is not None:
            sent.typed[note_name(kr.id)] = note_text
            _read_note(sent, kr, note_text.strip())
    return sent


def _read_note(sent: FinalValues, kr: KeyResult, note: str) -> None:
    name = note_name(kr.id)
    if len(note) > MAX_TEXT:
        sent.errors[name] = too_long(MAX_TEXT)
    elif MARKUP.search(note):
        sent.errors[name] = "Write plain text: HTML tags such as <b> are not allowed here."
    elif note and kr.id not in sent.values and field_name(kr.id) not in sent.errors:
        sent.errors[field_name(kr.id)] = "Enter the final value this note explains."
    elif note:
        sent.notes[kr.id] = note


def record_final_values(session, krs: list[KeyResult], objectives: list[Objective],
                        sent: FinalValues, author_id: int) -> int:
    """Each changed final value (or new note) becomes a check-in, so history and progress
    show it; returns how many were recorded."""
    by_id = {o.id: o for o in objectives}
    now = utcnow()
    recorded = 0
    for kr in krs:
        if kr.id not in sent.values:
            continue
        note = sent.notes.get(kr.id, "")
        if sent.values[kr.id] == kr.current_value and not note:
            continue
        record_check_in(session, kr, by_id[kr.objective_id], author_id,
                        CheckInFields(value=sent.values[kr.id],
                                      note=f"{NOTE_PREFIX}: {note}" if note else NOTE_PREFIX), now)
        recorded += 1
    return recorded
