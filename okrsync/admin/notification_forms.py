"""The forms of /admin/notifications: SMTP, Slack (bot and per team), everyone's defaults."""
from __future__ import annotations

from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from config.notification_settings import TLS_MODES
from okrsync.admin.forms import choices
from ui_panel.field_words import PageForm, at_most, email_address, required

HOST = Regexp(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$",
              message="A host name or address, without scheme or port (smtp.example.com).")
CHANNEL = Regexp(r"^#?[a-z0-9][a-z0-9._-]{0,79}$|^[CGD][A-Z0-9]{6,}$",
                 message="A channel name such as #okrs (lower case, no spaces) or a channel id.")
TLS_LABELS = {"none": "None (plain, port 25)", "starttls": "STARTTLS (port 587)",
              "ssl": "TLS from the start (smtps, port 465)"}


class SmtpForm(PageForm):
    host = StringField("SMTP server", validators=[required(), at_most(253), HOST])
    port = IntegerField("Port", default=587, validators=[
        required("Give the port (25, 465 or 587 usually)."),
        NumberRange(1, 65535, message="A port between 1 and 65535.")])
    tls = SelectField("TLS", choices=choices((m, TLS_LABELS[m]) for m in TLS_MODES), default="starttls")
    username = StringField("User name", validators=[Optional(), at_most(320)])
    password = PasswordField("Password", validators=[Optional(), at_most(1000)])
    clear_password = BooleanField("Remove the stored password")
    mail_from = StringField("From address", validators=[
        required(), at_most(320), email_address("okrs@example.com")])


class SlackBotForm(PageForm):
    bot_token = PasswordField("Bot token (xoxb-…)", validators=[
        Optional(), at_most(300),
        Regexp(r"^xox[bp]-[A-Za-z0-9-]+$", message="A Slack bot token starts with xoxb-.")])
    clear_token = BooleanField("Remove the stored token")
    default_channel = StringField("Default channel", validators=[Optional(), at_most(80), CHANNEL])


class SlackTeamForm(PageForm):
    team_id = SelectField("Team", coerce=str, validators=[required("Choose a team.")])
    webhook_url = PasswordField("Incoming webhook URL", validators=[
        Optional(), at_most(500),
        Regexp(r"^https://\S+$", message="The https:// address Slack gave for the webhook.")])
    clear_webhook = BooleanField("Remove the stored webhook")
    channel = StringField("Channel (with the bot token)", validators=[Optional(), at_most(80), CHANNEL])


class SlackTestForm(PageForm):
    target = SelectField("Send to", coerce=str, validators=[required()])


class DefaultsForm(PageForm):
    email = BooleanField("By email")
    slack = BooleanField("In Slack")
    reminders = BooleanField("Weekly check-in reminders")
    digests = BooleanField("Digests (Monday digest for leadership, team digest for leads)")
    skip_days = IntegerField("No reminder for a key result checked in within (days)", default=3,
                             validators=[InputRequired(message="Give a number of days (0-14)."),
                                         NumberRange(0, 14, message="Between 0 and 14 days.")])
