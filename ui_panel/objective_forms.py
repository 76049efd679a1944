"""The objective form (guide steps 2-4): what, level, team, owner, the parent it supports."""
from __future__ import annotations

from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from okr_core.domain import Level, Visibility
from okr_core.models import Objective, Team, User
from okr_core.rules.levels import may_align_to
from okr_core.visibility import visible_objectives_clause
from ui_panel.field_words import PageForm
from ui_panel.form_rules import add_error, no_markup

LEVELS = [SelectChoice(level.value, level.value.capitalize()) for level in Level]
VISIBILITIES = [SelectChoice("public", "Public: the whole organisation"),
                SelectChoice("team", "Team: the team and its leads"),
                SelectChoice("private", "Private: the owner only")]
VISIBILITY_WORDS = {"public": "visible to everyone", "team": "visible to the team and its leads",
                    "private": "visible to the owner only"}   # beside a title, in a sentence


def _id_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class ObjectiveForm(PageForm):
    title = StringField("Objective", validators=[no_markup])
    description = TextAreaField("Description", validators=[no_markup])
    level = SelectField("Level", choices=LEVELS, default=Level.TEAM.value)
    team_id = SelectField("Team", validate_choice=False)
    owner_id = SelectField("Owner", validate_choice=False)
    parent_id = SelectField("Supports (parent objective)", validate_choice=False)
    visibility = SelectField("Visibility", choices=VISIBILITIES, default=Visibility.PUBLIC.value)
    published = BooleanField("Published (shown to everyone it is visible to)", default=True)

    def offer(self, session, cycle_id: int, viewer, editing: Objective | None = None) -> None:
        """Fill the team, owner and parent choices; parents are those the level may align to."""
        teams = session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
        self.team_id.choices = [("", "No team")] + [(str(i), n) for i, n in teams]
        people = session.execute(select(User.id, User.name).where(User.active.is_(True))
                                 .order_by(User.name)).all()
        self.owner_id.choices = [("", "Me")] + [(str(i), n) for i, n in people]
        self.candidates = session.execute(
            select(Objective.id, Objective.title, Objective.level)
            .where(Objective.cycle_id == cycle_id, Objective.archived.is_(False),
                   visible_objectives_clause(viewer)).order_by(Objective.id)).all()
        editing_id = editing.id if editing else None
        self.parent_id.choices = [("", "Nothing: a top-level objective")] + [
            (str(i), f"{title} ({level})") for i, title, level in self.candidates
            if i != editing_id and may_align_to(self.picked_level(), level)]

    def picked_level(self) -> Level:
        """The level chosen, or team while the choice is missing or not a level."""
        return Level(self.level.data) if self.level.data in {l.value for l in Level} \
            else Level.TEAM

    def check_choices(self) -> None:
        """A parent must be of a level this one may support; every pick must be offered."""
        wanted = _id_or_none(self.parent_id.data)
        levels = {i: level for i, _title, level in self.candidates}
        if wanted in levels and not self.level.errors and not may_align_to(
                self.level.data, levels[wanted]):
            add_error(self, "parent_id", f"A {self.level.data} objective supports an objective "
                                         f"of a higher level, not a {levels[wanted]} one.")
        for field in (self.team_id, self.owner_id, self.parent_id):
            offered = {str(value) for value, _label in field.choices}
            if field.data and field.data not in offered and not field.errors:
                add_error(self, field.name, "Pick one of the choices.")

    def api_fields(self) -> dict:
        """The form as the API's objective body (without the cycle)."""
        return {"title": self.title.data or "", "description": self.description.data or "",
                "level": self.level.data, "team_id": _id_or_none(self.team_id.data),
                "owner_id": _id_or_none(self.owner_id.data),
                "parent_id": _id_or_none(self.parent_id.data),
                "visibility": self.visibility.data, "published": bool(self.published.data)}
