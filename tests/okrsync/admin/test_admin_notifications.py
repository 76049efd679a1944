"""/admin/notifications: SMTP and Slack settings with their test buttons, everyone's defaults,
bad input beside its field, failures in words, and no secret in any page or log line (the
admin suite scans every response and log line for the planted secrets)."""
from __future__ import annotations

import re

import pytest
import responses
from cryptography.fernet import Fernet
from sqlalchemy import select

from config.key_rotation import rotate_stored_secrets
from config.notification_settings import (
    SLACK_ACTION, SMTP_ACTION, NotificationDefaults, load_defaults, load_slack_settings,
    load_smtp_settings,
)
from config.secrets import SecretBox
from okr_core.models import AuditEntry
from tests.okrsync.admin.conftest import PLANTED
from tests.okrsync.admin.web import post_form, read_rows
from tests.sync.notify.smtp_inbox import SmtpServer, free_port

PAGE = "/admin/notifications"


@pytest.fixture
def smtp_server():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def settings(settings, smtp_server):
    """OKRSYNC_SMTP_URL with a planted password, and a From address."""
    return settings.with_overrides(
        smtp_url=f"smtp://mailer:{PLANTED.smtp_password}@127.0.0.1:{smtp_server.port}",
        mail_from="okrs@northwind.example")


@pytest.fixture
def slack_dns(app):
    app.config["OUTBOUND_RESOLVER"] = lambda host, port: ["34.120.1.1"]


def field_errors(html: str, field_id: str) -> list[str]:
    """The error lines printed inside the field's own block (beside it)."""
    block = re.search(rf'<div class="field">\s*<label for="{field_id}">.*?</div>', html, re.S)
    assert block, f"no field {field_id}"
    return re.findall(r'<p class="field-error">(.*?)</p>', block.group(0))


def save_smtp(client, **fields):
    values = dict(host="127.0.0.1", port="25", tls="none", username="", password="",
                  mail_from="okrs@northwind.example")
    values.update(fields)
    return post_form(client, PAGE, f"{PAGE}/smtp", **values)


def test_the_environment_gives_the_defaults_and_its_password_never_shows(admin_client, smtp_server):
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert 'value="127.0.0.1"' in html and f'value="{smtp_server.port}"' in html
    assert 'value="mailer"' in html and "OKRSYNC_SMTP_URL" in html
    assert "set — leave blank to keep" in html


def test_invalid_smtp_settings_are_refused_beside_each_field_keeping_what_was_typed(admin_client, db):
    answer = save_smtp(admin_client, host="smtp://mail example", port="99999",
                       mail_from="not an address", tls="carrier-pigeon")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert field_errors(html, "host") == [
        "A host name or address, without scheme or port (smtp.example.com)."]
    assert field_errors(html, "port") == ["A port between 1 and 65535."]
    assert field_errors(html, "mail_from") == ["Enter an email address such as okrs@example.com."]
    assert field_errors(html, "tls") == ["Pick one of the choices."]
    assert 'value="smtp://mail example"' in html
    answer = save_smtp(admin_client, port="", username="mailer")
    html = answer.get_data(as_text=True)
    assert field_errors(html, "port") == ["Give the port (25, 465 or 587 usually)."]
    assert not read_rows(db, select(AuditEntry).where(AuditEntry.action == SMTP_ACTION))


def test_a_username_needs_a_password(admin_client):
    assert save_smtp(admin_client, username="mailer").status_code == 200   # the env's stays
    answer = save_smtp(admin_client, username="mailer-two", clear_password="y")
    assert answer.status_code == 422
    assert field_errors(answer.get_data(as_text=True), "password") == [
        "Give the password for this user name."]


def test_the_password_is_stored_encrypted_and_kept_when_left_blank(app, admin_client, db):
    assert save_smtp(admin_client, username="mailer", password=PLANTED.smtp_password,
                     tls="starttls", port="587").status_code == 200
    assert save_smtp(admin_client, username="mailer", tls="starttls", port="2525").status_code == 200
    entries = read_rows(db, select(AuditEntry).where(AuditEntry.action == SMTP_ACTION))
    assert len(entries) == 2 and all(PLANTED.smtp_password not in str(e.detail) for e in entries)
    with app.app_context():
        smtp = load_smtp_settings(db, app.config["SETTINGS"], app.extensions["okrsync.secret_box"])
    assert (smtp.port, smtp.password) == (2525, PLANTED.smtp_password)
    db.rollback()
    audit = admin_client.get("/admin/audit").get_data(as_text=True)
    assert entries[0].detail["password_encrypted"] not in audit


def test_send_test_email_reaches_a_real_smtp_server(admin_client, smtp_server):
    save_smtp(admin_client, port=str(smtp_server.port))
    answer = post_form(admin_client, PAGE, f"{PAGE}/smtp/test")
    html = answer.get_data(as_text=True)
    assert "A test email went to" in html
    [(recipients, message)] = smtp_server.inbox.received
    assert recipients[0].startswith("admin-") and message["Subject"] == "okrsync test email"
    assert message.get_body(("plain",)).get_content().startswith("This is a test email")
    assert message.get_body(("html",)) is not None


def test_the_environments_login_without_starttls_says_so(admin_client):
    """The env URL has a user, so STARTTLS is asked for; the local server offers none."""
    html = post_form(admin_client, PAGE, f"{PAGE}/smtp/test").get_data(as_text=True)
    assert "does not offer STARTTLS or login: check the TLS mode." in html


def test_an_unreachable_smtp_server_gives_a_clear_message(admin_client):
    save_smtp(admin_client, port=str(free_port()))
    html = post_form(admin_client, PAGE, f"{PAGE}/smtp/test").get_data(as_text=True)
    assert re.search(r"The SMTP server 127\.0\.0\.1:\d+ could not be reached\.", html)


def test_slack_bot_token_format_and_channel_are_checked_beside_their_fields(admin_client):
    answer = post_form(admin_client, PAGE, f"{PAGE}/slack", bot_token="not-a-token",
                       default_channel="General Chat")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert field_errors(html, "bot_token") == ["A Slack bot token starts with xoxb-."]
    assert field_errors(html, "default_channel") == [
        "A channel name such as #okrs (lower case, no spaces) or a channel id."]


def test_a_team_webhook_must_be_an_https_address_slack_can_be_reached_at(admin_client, actors):
    team_id = actors.team("Platform")
    answer = post_form(admin_client, PAGE, f"{PAGE}/slack/team", team_id=str(team_id),
                       webhook_url="http://127.0.0.1:9/hook", channel="")
    assert field_errors(answer.get_data(as_text=True), "webhook_url") == [
        "The https:// address Slack gave for the webhook."]
    answer = post_form(admin_client, PAGE, f"{PAGE}/slack/team", team_id="",
                       webhook_url="", channel="")
    assert field_errors(answer.get_data(as_text=True), "team_id") == ["Choose a team."]


@responses.activate
def test_send_test_message_through_the_bot_and_a_revoked_token(app, admin_client, db, slack_dns):
    assert post_form(admin_client, PAGE, f"{PAGE}/slack", bot_token=PLANTED.slack_token,
                     default_channel="#okrs").status_code == 200
    responses.post("https://slack.com/api/chat.postMessage", json={"ok": True, "ts": "1.2"})
    html = post_form(admin_client, PAGE, f"{PAGE}/slack/test", target="default").get_data(as_text=True)
    assert "Slack accepted the test message." in html
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {PLANTED.slack_token}"

    responses.replace(responses.POST, "https://slack.com/api/chat.postMessage",
                      json={"ok": False, "error": "token_revoked"})
    html = post_form(admin_client, PAGE, f"{PAGE}/slack/test", target="default").get_data(as_text=True)
    assert "Slack refused the bot token (token_revoked): it was revoked or is wrong." in html
    [entry] = read_rows(db, select(AuditEntry).where(AuditEntry.action == SLACK_ACTION))
    assert PLANTED.slack_token not in str(entry.detail)


@responses.activate
def test_a_teams_webhook_is_kept_secret_and_its_test_message_goes_to_it(admin_client, actors,
                                                                         slack_dns):
    team_id = actors.team("Platform")
    assert post_form(admin_client, PAGE, f"{PAGE}/slack/team", team_id=str(team_id),
                     webhook_url=PLANTED.slack_webhook, channel="").status_code == 200
    responses.post(PLANTED.slack_webhook, body="ok")
    html = post_form(admin_client, PAGE, f"{PAGE}/slack/test", target=str(team_id)).get_data(as_text=True)
    assert "Slack accepted the test message." in html
    assert '<td data-label="Team">Platform</td><td data-label="Webhook">set</td>' in html
    responses.replace(responses.POST, PLANTED.slack_webhook, body="channel_not_found", status=404)
    html = post_form(admin_client, PAGE, f"{PAGE}/slack/test", target=str(team_id)).get_data(as_text=True)
    assert "Slack cannot post to the webhook channel (channel_not_found)" in html


def test_slack_test_without_settings_says_what_to_set(admin_client):
    html = post_form(admin_client, PAGE, f"{PAGE}/slack/test", target="default").get_data(as_text=True)
    assert "Slack is not set up for that destination" in html


def test_defaults_are_checked_and_saved(admin_client, db):
    answer = post_form(admin_client, PAGE, f"{PAGE}/defaults", email="y", reminders="y", skip_days="99")
    assert answer.status_code == 422
    assert field_errors(answer.get_data(as_text=True), "skip_days") == ["Between 0 and 14 days."]
    answer = post_form(admin_client, PAGE, f"{PAGE}/defaults", slack="y", digests="y", skip_days="0")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Defaults saved." in html
    assert 'name="skip_days"' in html and 'value="0"' in html and "Check-in day" not in html
    assert "check-in day and time of the owner's team" in html
    db.rollback()
    assert load_defaults(db) == NotificationDefaults(email=False, slack=True, reminders=False,
                                                     digests=True, skip_days=0)


def test_defaults_saved_with_the_old_instance_wide_check_in_day_still_load(db):
    from config.audit import record_audit
    from config.notification_settings import DEFAULTS_ACTION

    record_audit(db, None, DEFAULTS_ACTION, "notification defaults", {
        "email": False, "slack": True, "reminders": True, "digests": False, "checkin_weekday": 2,
        "skip_days": 5})
    db.flush()
    assert load_defaults(db) == NotificationDefaults(email=False, slack=True, reminders=True,
                                                     digests=False, skip_days=5)


def test_members_and_leads_cannot_open_the_page(signed_in):
    from okr_core.domain import Role

    for role in (Role.MEMBER, Role.LEAD):
        assert signed_in(role).get(PAGE).status_code == 403


def test_key_rotation_re_encrypts_the_smtp_password_and_slack_secrets(app, admin_client, db,
                                                                      actors, slack_dns):
    save_smtp(admin_client, username="mailer", password=PLANTED.smtp_password)
    post_form(admin_client, PAGE, f"{PAGE}/slack", bot_token=PLANTED.slack_token, default_channel="#okrs")
    team_id = actors.team("Platform")
    post_form(admin_client, PAGE, f"{PAGE}/slack/team", team_id=str(team_id),
              webhook_url=PLANTED.slack_webhook, channel="")
    new_key = Fernet.generate_key().decode()
    both = SecretBox([new_key, *app.config["SETTINGS"].encryption_keys])
    db.rollback()
    assert rotate_stored_secrets(db, both) >= 3
    only_new = SecretBox([new_key])
    slack = load_slack_settings(db, only_new)
    assert slack.bot_token == PLANTED.slack_token
    assert slack.teams[team_id].webhook_url == PLANTED.slack_webhook
    assert load_smtp_settings(db, app.config["SETTINGS"], only_new).password == PLANTED.smtp_password
    db.rollback()


def test_a_malformed_smtp_url_in_the_environment_is_named_without_repeating_it(app, admin_client):
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(
        smtp_url=f"http://mailer:{PLANTED.smtp_password}@mail.example")
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert "OKRSYNC_SMTP_URL must look like smtp://user:pass@host:port or smtps://…: it is ignored" in html
