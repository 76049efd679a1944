"""The admin forms; every one carries a CSRF token (Flask-WTF)."""
from __future__ import annotations

from wtforms import (
    BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField, ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, Optional, Regexp

from okr_core.checkin_drafts.week import WEEKDAYS, BadSchedule, zone
from okr_core.domain import Role, TeamKind, TrackerKind
from ui_panel.field_words import PageForm, at_most, between, email_address, required

SECRET_HINT = "set — leave blank to keep"


# Roles and team kinds as pages name them (the guide's team leads), never their stored values.
ROLE_WORDS = {Role.ADMIN.value: "Admin", Role.LEAD.value: "Team lead", Role.MEMBER.value: "Member"}
TEAM_KIND_WORDS = {TeamKind.COMPANY.value: "Company", TeamKind.DEPARTMENT.value: "Department",
                   TeamKind.TEAM.value: "Team"}


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _secret(label: str) -> PasswordField:
    return PasswordField(label, validators=[Optional(), at_most(2000)])


class ConnectionForm(PageForm):
    tracker = SelectField("Tracker", choices=choices(
        (k.value, k.value.capitalize()) for k in TrackerKind))
    name = StringField("Name", validators=[required(), at_most(200)])
    base_url = StringField("Base URL", validators=[
        required(), URL(require_tld=False, message="Enter an absolute URL."), at_most(500)])
    deployment = SelectField("Jira deployment", default="cloud", choices=choices(
        [("cloud", "Cloud"), ("datacenter", "Data Center")]))
    jira_email = StringField("Jira account email", validators=[Optional(), email_address(),
                                                               at_most(320)])
    jira_api_token = _secret("Jira API token")
    jira_personal_access_token = _secret("Jira personal access token (Data Center)")
    linear_api_key = _secret("Linear API key")
    linear_oauth_token = _secret("Linear OAuth token")
    webhook_secret = _secret("Webhook secret (the one Linear shows you)")


class MappingForm(PageForm):
    story_points_field = StringField("Story points field id", validators=[
        Optional(), at_most(100),
        Regexp(r"^[A-Za-z0-9_.-]+$", message="A field id such as customfield_10016.")])
    kr_issue_type = StringField("Issue type for key results", validators=[Optional(),
                                                                         at_most(100)])
    timezone = StringField("Site time zone", validators=[Optional(), at_most(64)])
    not_done_resolutions = TextAreaField(
        "Resolutions that do not count as done (one a line)", render_kw={"rows": 6},
        validators=[Optional(), at_most(2000),
                    Regexp(r"^[^\x00-\x09\x0b\x0c\x0e-\x1f]*$", message="Plain resolution names, one a line.")])
    done_states = TextAreaField("Workflow states that count as done (one a line)",
                                validators=[Optional(), at_most(4000)])
    teams = TextAreaField("Teams or projects to sync (one a line)",
                          validators=[Optional(), at_most(4000)])
    mirror_namespace = StringField("Mirror label namespace", validators=[
        Optional(), at_most(40),
        Regexp(r"^[A-Za-z0-9_-]+$", message="Letters, digits, - and _.")])


class LlmForm(PageForm):
    model = StringField("Model", validators=[required(), at_most(200)])
    base_url = StringField("Base URL (blank: OpenAI)", validators=[
        Optional(), URL(require_tld=False, message="Enter an absolute URL."), at_most(500)])
    api_key = _secret("API key")


class AllowlistForm(PageForm):
    hosts = TextAreaField("Hosts, host:port pairs or CIDRs (one a line)",
                          validators=[Optional(), at_most(4000)])


class UserForm(PageForm):
    name = StringField("Name", validators=[required(), at_most(200)])
    email = EmailField("Email", validators=[required(), email_address(), at_most(320)])
    role = SelectField("Role", choices=choices(ROLE_WORDS.items()),
                       default=Role.MEMBER.value)  # the least access unless chosen
    team_id = SelectField("Team", coerce=str, default="")   # "" (no team, also when not sent) is a choice: " " is refused
    password = PasswordField("Password", validators=[Optional(), between(12, 1000)])
    active = BooleanField("Active", default=True)


class TeamForm(PageForm):
    name = StringField("Name", validators=[required(), at_most(200)])
    kind = SelectField("Kind", choices=choices(TEAM_KIND_WORDS.items()),
                       default=TeamKind.TEAM.value)  # most teams added are teams
    parent_id = SelectField("Parent team", coerce=str, default="")   # "" (no parent) is a choice
    check_in_weekday = SelectField("Check-in day", choices=choices(enumerate(WEEKDAYS)), coerce=int,
                                   default=4)
    check_in_time = StringField("Check-in time", default="14:00", validators=[
        required(), Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", message="Enter a time like 14:00.")])
    time_zone = StringField("Time zone", default="UTC", validators=[required(), at_most(64)])

    def validate_time_zone(self, field) -> None:
        try:
            zone(field.data)
        except BadSchedule:
            raise ValidationError("Enter a time zone name like Europe/Berlin.") from None


class TokenForm(PageForm):
    user_id = SelectField("For user", coerce=str, validators=[required()])
    name = StringField("Token name", validators=[required(), at_most(200)])


class DeleteConnectionForm(PageForm):
    """Deleting a connection: the admin types its name, so a stray click deletes nothing."""

    confirm_name = StringField("Type the connection's name to delete it",
                               validators=[required(), at_most(200)])


class ActionForm(PageForm):
    """A button that changes something (revoke, retry, regenerate): only the CSRF token."""
