"""/admin/notifications: the SMTP server and Slack (each with a test button), everyone's
defaults, and the messages that failed (sent again on request: nothing is lost)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from sqlalchemy import select

from config.notification_settings import (
    NotificationDefaults, SmtpSettings, SmtpUrlError, load_defaults, parse_smtp_url, load_slack_settings, load_smtp_settings,
    save_defaults, save_slack_bot, save_slack_team, save_smtp_settings,
)
from config.urlsafety import UnsafeURL, check_outbound_url, system_resolver
from okr_core.models import Team
from okrsync.admin.blueprint import admin_only, bp, commit_audited
from okrsync.admin.forms import SECRET_HINT, choices
from okrsync.admin.notification_forms import (
    DefaultsForm, SlackBotForm, SlackTeamForm, SlackTestForm, SmtpForm,
)
from plumbing.db import request_session
from plumbing.services import allowlist, secret_box
from sync.notify.content import test_message
from sync.notify.email_sender import build_email, send_email
from sync.notify.errors import SendFailed
from sync.notify.problems import problem_sends
from sync.notify.jobs import send_again
from sync.notify.slack_sender import post_to_slack
from ui_panel.signin import current_web_user


def _teams():
    return list(request_session().scalars(select(Team).order_by(Team.name, Team.id)))


def _smtp() -> SmtpSettings:
    return load_smtp_settings(request_session(), current_app.config["SETTINGS"], secret_box())


def _slack():
    return load_slack_settings(request_session(), secret_box())


def _resolver():
    return current_app.config.get("OUTBOUND_RESOLVER", system_resolver)


def _test_form(teams, slack) -> SlackTestForm:
    form = SlackTestForm()
    options = [("default", "The default channel (bot token)")] + [
        (str(t.id), f"Team {t.name}") for t in teams if slack.teams.get(t.id)]
    form.target.choices = choices(options)
    return form


def _page(status: int = 200, smtp_form=None, bot_form=None, team_form=None, defaults_form=None,
          **extra):
    session = request_session()
    smtp, slack, defaults, teams = _smtp(), _slack(), load_defaults(session), _teams()
    smtp_form = smtp_form or SmtpForm(formdata=None, data={
        "host": smtp.host, "port": smtp.port if smtp.host else 587, "tls": smtp.tls if smtp.host else "starttls",
        "username": smtp.username, "mail_from": smtp.mail_from})
    bot_form = bot_form or SlackBotForm(formdata=None, data={"default_channel": slack.default_channel})
    team_form = team_form or SlackTeamForm(formdata=None)
    team_form.team_id.choices = choices([("", "Choose a team")] + [(str(t.id), t.name) for t in teams])
    defaults_form = defaults_form or DefaultsForm(formdata=None, data=vars(defaults))
    team_rows = [(t, slack.teams[t.id]) for t in teams if t.id in slack.teams]
    return render_template(
        "admin/notifications.html", smtp_form=smtp_form, bot_form=bot_form, team_form=team_form,
        defaults_form=defaults_form, test_form=_test_form(teams, slack), smtp=smtp, slack=slack,
        team_rows=team_rows, secret_hint=SECRET_HINT, problems=problem_sends(session),
        env_smtp=bool(current_app.config["SETTINGS"].smtp_url), env_smtp_error=_env_smtp_error(),
        **extra), status


def _env_smtp_error() -> str | None:
    """What is wrong with OKRSYNC_SMTP_URL, if anything (never the URL itself)."""
    url = current_app.config["SETTINGS"].smtp_url
    try:
        parse_smtp_url(url) if url else None
    except SmtpUrlError as wrong:
        return str(wrong)
    return None


@bp.get("/notifications")
@admin_only
def notifications():
    return _page()


@bp.post("/notifications/smtp")
@admin_only
def save_smtp():
    form = SmtpForm()
    if not form.validate_on_submit():
        return _page(422, smtp_form=form)
    password = (form.password.data or "").strip() or None
    if form.username.data and not (password or (_smtp().password and not form.clear_password.data)):
        form.password.errors.append("Give the password for this user name.")
        return _page(422, smtp_form=form)
    values = SmtpSettings(form.host.data.strip(), form.port.data, form.tls.data,
                          (form.username.data or "").strip(), "", form.mail_from.data.strip())
    save_smtp_settings(request_session(), current_web_user().id, secret_box(), values, password,
                       form.clear_password.data)
    commit_audited()
    return _page(smtp_saved=True)


@bp.post("/notifications/smtp/test")
@admin_only
def test_smtp():
    smtp, me = _smtp(), current_web_user()
    try:
        send_email(smtp, build_email(smtp, me.name, me.email, test_message("email"), None))
    except SendFailed as failure:
        return _page(email_result=(False, str(failure)))
    return _page(email_result=(True, f"A test email went to {me.email}."))


@bp.post("/notifications/slack")
@admin_only
def save_slack():
    form = SlackBotForm()
    if not form.validate_on_submit():
        return _page(422, bot_form=form)
    save_slack_bot(request_session(), current_web_user().id, secret_box(),
                   (form.default_channel.data or "").strip(),
                   (form.bot_token.data or "").strip() or None, form.clear_token.data)
    commit_audited()
    return _page(slack_saved=True)


@bp.post("/notifications/slack/team")
@admin_only
def save_slack_team_view():
    form = SlackTeamForm()
    form.team_id.choices = choices([("", "Choose a team")] + [(str(t.id), t.name) for t in _teams()])
    if not form.validate_on_submit():
        return _page(422, team_form=form)
    webhook = (form.webhook_url.data or "").strip() or None
    if webhook:
        try:
            check_outbound_url(webhook, tuple(allowlist()), _resolver())
        except UnsafeURL as refused:
            form.webhook_url.errors.append(f"Refused: {refused}")
            return _page(422, team_form=form)
    save_slack_team(request_session(), current_web_user().id, secret_box(), int(form.team_id.data),
                    (form.channel.data or "").strip(), webhook, form.clear_webhook.data)
    commit_audited()
    return _page(slack_saved=True)


@bp.post("/notifications/slack/test")
@admin_only
def test_slack():
    slack, teams = _slack(), _teams()
    form = _test_form(teams, slack)
    if not form.validate_on_submit():
        return _page(slack_result=(False, "Choose where to send the test message."))
    destination = (slack.destination(None) if form.target.data == "default"
                   else slack.destination(int(form.target.data)))
    if destination is None:
        return _page(slack_result=(False, "Slack is not set up for that destination: save a bot "
                                          "token and channel, or a team's webhook, first."))
    try:
        post_to_slack(destination, slack.bot_token, test_message("Slack message"),
                      tuple(allowlist()), _resolver())
    except SendFailed as failure:
        return _page(slack_result=(False, str(failure)))
    return _page(slack_result=(True, "Slack accepted the test message."))


@bp.post("/notifications/defaults")
@admin_only
def save_notification_defaults():
    form = DefaultsForm()
    if not form.validate_on_submit():
        return _page(422, defaults_form=form)
    save_defaults(request_session(), current_web_user().id, NotificationDefaults(
        bool(form.email.data), bool(form.slack.data), bool(form.reminders.data),
        bool(form.digests.data), form.skip_days.data))
    commit_audited()
    return _page(defaults_saved=True)


@bp.post("/notifications/send-again")
@admin_only
def send_notifications_again():
    ids = send_again()
    flash(f"{len(ids)} message{'s' if len(ids) != 1 else ''} queued to be sent again.", "ok")
    return redirect(url_for("admin.notifications"))
