"""The key result form (guide step 2: metric, starting value, target value, how it's measured)."""
from __future__ import annotations

import math

from sqlalchemy import select
from wtforms import FloatField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import TextInput
from wtforms.validators import InputRequired, Optional

from okr_core.domain import Measure
from okr_core.models import User
from ui_panel.field_words import PageForm
from ui_panel.form_rules import add_error, no_markup

MEASURES = [
    SelectChoice(Measure.MANUAL.value, "Checked in by hand (Update Progress)"),
    SelectChoice(Measure.WORK_DONE_RATIO.value, "Share of linked issues done"),
    SelectChoice(Measure.POINTS_DONE_RATIO.value, "Share of linked story points done"),
    SelectChoice(Measure.DONE_COUNT.value, "Number of linked issues done"),
    SelectChoice(Measure.ITEM_COUNT.value, "Number of linked open issues (lower is better)"),
]
MEASURE_WORDS = {choice.value: choice.label for choice in MEASURES}   # a measure as pages name it


def parse_number(text: str | None) -> float | None:
    """A typed number (thousands commas allowed); None when empty; ValueError in words."""
    if text is None or not text.strip():
        return None
    try:
        value = float(text.strip().replace(",", ""))
    except ValueError:
        raise ValueError("Enter a number, such as 12 or 4.5.") from None
    if not math.isfinite(value):
        raise ValueError("Enter a finite number.")
    return value


class NumberField(FloatField):
    """A float field typed as text (so any typing is kept), whose wrong-type message reads as advice."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        self.data = parse_number(valuelist[0] if valuelist else None)


class KeyResultForm(PageForm):
    title = StringField("Key result (metric)", validators=[no_markup])
    start_value = NumberField("Starting value", validators=[
        InputRequired("Enter the starting value.")])
    target_value = NumberField("Target value", validators=[Optional()])
    unit = StringField("Unit", validators=[no_markup])
    measure = SelectField("How it's measured", choices=MEASURES, default=Measure.MANUAL.value)
    owner_id = SelectField("Owner", validate_choice=False)
    weight = NumberField("Weight", default=1.0, validators=[InputRequired("Enter a weight.")])

    def offer(self, session) -> None:
        people = session.execute(select(User.id, User.name).where(User.active.is_(True))
                                 .order_by(User.name)).all()
        self.owner_id.choices = [("", "The objective's owner")] + [(str(i), n) for i, n in people]

    def check_choices(self) -> None:
        offered = {str(value) for value, _label in self.owner_id.choices}
        if self.owner_id.data and self.owner_id.data not in offered:
            add_error(self, "owner_id", "Pick one of the choices.")

    def api_fields(self) -> dict:
        owner = self.owner_id.data
        return {"title": self.title.data or "", "start_value": self.start_value.data,
                "target_value": self.target_value.data, "unit": self.unit.data or "",
                "measure": self.measure.data, "weight": self.weight.data,
                "owner_id": int(owner) if owner and owner.isdigit() else None}
