"""The weekly check-in form (guide: value, status, blockers or wins) with per-field errors."""
from __future__ import annotations

import math

from wtforms import FloatField, IntegerField, SelectField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from okr_core.checkins import CheckInFields
from okr_core.domain import JUDGED_STATUSES, KRStatus
from ui_panel.charts import STATUS_TEXT
from ui_panel.field_words import PageForm, at_most

MAX_TEXT = 20_000


def _finite(form, field) -> None:
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError("Enter a finite number.")


class CheckInForm(PageForm):
    value = FloatField("Current value", validators=[Optional(), _finite])
    status = SelectField("Status", default="",   # "" is a choice; Optional() let " " through
                         choices=[SelectChoice("", "Keep the status from pace")]
                         + [SelectChoice(s.value, STATUS_TEXT[s]) for s in JUDGED_STATUSES])
    confidence = IntegerField("Confidence (0-10)",
                              validators=[Optional(), NumberRange(0, 10, "Enter 0 to 10.")])
    note = TextAreaField("Note", validators=[at_most(MAX_TEXT)])
    blockers = TextAreaField("Blockers", validators=[at_most(MAX_TEXT)])
    wins = TextAreaField("Wins", validators=[at_most(MAX_TEXT)])

    def fields_for_core(self) -> CheckInFields:
        """The validated input as the domain's check-in fields."""
        return CheckInFields(
            value=self.value.data, status=KRStatus(self.status.data) if self.status.data else None,
            confidence=self.confidence.data, note=(self.note.data or "").strip(),
            blockers=(self.blockers.data or "").strip(), wins=(self.wins.data or "").strip())
