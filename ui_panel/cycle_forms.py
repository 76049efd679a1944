"""The cycle form (guide step 1: time period, scope, start and end dates)."""
from __future__ import annotations

from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from okr_core.domain import Level
from ui_panel.checkin_form import MAX_TEXT
from ui_panel.form_rules import no_markup
from ui_panel.field_words import PageForm, at_most

SCOPES = [SelectChoice(level.value, level.value.capitalize()) for level in Level]


class CycleForm(PageForm):
    name = StringField("Time period", validators=[no_markup])
    scope = SelectField("Scope", choices=SCOPES, default=Level.COMPANY.value)
    start_date = DateField("Start date", validators=[
        InputRequired("Enter the start date.")], format="%Y-%m-%d")
    end_date = DateField("End date", validators=[
        InputRequired("Enter the end date.")], format="%Y-%m-%d")
    activate = BooleanField("Activate now (teams check in on the active cycle)")

    def api_fields(self) -> dict:
        """What the API's cycle body takes (the scope is the page's own field)."""
        return {"name": self.name.data or "", "start_date": self.start_date.data,
                "end_date": self.end_date.data}


class NotesForm(PageForm):
    """The notes of a mid-cycle review or of a retrospective."""

    notes = TextAreaField("Notes", validators=[
        at_most(MAX_TEXT), no_markup])
