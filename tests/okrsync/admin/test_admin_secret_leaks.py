"""Configured secrets never reach a page, an API response or a log line; keys can be rotated."""
from __future__ import annotations

import json
import logging
import re

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from config.instance_settings import load_llm_settings
from config.key_rotation import rotate_stored_secrets
from config.known_secrets import known_secrets
from config.secrets import SecretBox, SecretUndecryptable
from okr_core.models import Connection
from plumbing.logging_setup import JSONFormatter
from tests.okrsync.admin.conftest import PLANTED
from tests.okrsync.admin.web import post_form, read_rows

log = logging.getLogger("okrsync.tests.okrsync.admin")


def configure_everything(admin_client) -> None:
    """Jira (API token, then a PAT), Linear (key + its webhook secret), LLM key, via the forms."""
    for fields in (
        {"tracker": "jira", "name": "J", "base_url": "https://93.184.216.34",
         "jira_email": "bot@acme.example", "jira_api_token": PLANTED.jira_token},
        {"tracker": "jira", "name": "DC", "base_url": "https://93.184.216.35",
         "deployment": "datacenter", "jira_personal_access_token": PLANTED.jira_pat},
        {"tracker": "linear", "name": "L", "base_url": "https://93.184.216.36",
         "linear_api_key": PLANTED.linear_key, "webhook_secret": PLANTED.linear_webhook_secret},
    ):
        assert post_form(admin_client, "/admin/connections/new", **fields).status_code == 201
    assert post_form(admin_client, "/admin/llm", model="m", base_url="",
                     api_key=PLANTED.llm_key).status_code == 200
    configure_notifications(admin_client)


def configure_notifications(admin_client) -> None:
    """The SMTP password, the Slack bot token and a team's webhook, via /admin/notifications."""
    from okr_core.models import Team
    from okr_core.store import session_scope

    app = admin_client.application
    app.config["OUTBOUND_RESOLVER"] = lambda host, port: ["34.120.1.1"]
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        team = Team(name="Platform", kind="team")
        session.add(team)
        session.flush()
        team_id = team.id
    page = "/admin/notifications"
    for action, fields in (
        ("smtp", dict(host="mail.example", port="587", tls="starttls", username="mailer",
                      password=PLANTED.smtp_password, mail_from="okrs@northwind.example")),
        ("slack", dict(bot_token=PLANTED.slack_token, default_channel="#okrs")),
        ("slack/team", dict(team_id=str(team_id), webhook_url=PLANTED.slack_webhook, channel="")),
    ):
        assert post_form(admin_client, page, f"{page}/{action}", **fields).status_code == 200


def test_no_page_or_api_response_shows_a_configured_secret(admin_client, client, admin, db,
                                                           output_tap):
    configure_everything(admin_client)
    ids = [c.id for c in read_rows(db, select(Connection))]
    pages = ["/admin/", "/admin/llm", "/admin/people", "/admin/tokens", "/admin/audit",
             "/admin/notifications", "/notifications", "/sync"]
    for connection_id in ids:
        pages += [f"/admin/connections/{connection_id}", f"/admin/connections/{connection_id}/edit",
                  f"/admin/connections/{connection_id}/mapping"]
        client.get(f"/api/v1/connections/{connection_id}", headers=admin)
        client.post(f"/api/v1/connections/{connection_id}/test", headers=admin)
    client.get("/api/v1/connections", headers=admin)
    for page in pages:
        assert admin_client.get(page).status_code == 200, page
    assert len(output_tap.bodies) > len(pages)
    shown = [(path, s) for path, body in output_tap.bodies for s in PLANTED.all() if s in body]
    assert shown == []


def test_log_lines_and_tracebacks_carrying_a_secret_are_redacted(admin_client, output_tap):
    configure_everything(admin_client)
    for secret in PLANTED.all():
        log.warning("calling the tracker with %s", secret)
        try:
            raise RuntimeError(f"request failed: Authorization: Bearer {secret}")
        except RuntimeError:
            log.exception("tracker call failed")
    lines = "\n".join(output_tap.lines)
    assert lines.count("[redacted]") >= 2 * len(PLANTED.all())  # the message and the traceback
    assert not [s for s in PLANTED.all() if s in lines]


def test_extra_fields_of_json_log_lines_are_redacted_too(admin_client, output_tap):
    configure_everything(admin_client)
    (handler,) = [h for h in logging.getLogger().handlers if getattr(h, "_okrsync", False)]
    text_formatter = handler.formatter
    handler.setFormatter(JSONFormatter())  # the production format carries extras
    try:
        log.info("deliveries.attempt-failed", extra={"error": f"401 for {PLANTED.linear_key}"})
    finally:
        handler.setFormatter(text_formatter)
    assert json.loads(output_tap.lines[-1])["error"] == "401 for [redacted]"


def test_a_generated_webhook_secret_is_shown_once_and_redacted_from_logs(admin_client, output_tap):
    page = post_form(admin_client, "/admin/connections/new", tracker="jira", name="J",
                     base_url="https://93.184.216.34", jira_email="bot@acme.example",
                     jira_api_token=PLANTED.jira_token).get_data(as_text=True)
    secret = re.search(r'id="webhook-secret">([^<]+)<', page).group(1)
    log.warning("verifying with %s", secret)
    assert secret not in output_tap.lines[-1] and "[redacted]" in output_tap.lines[-1]
    later = [body for path, body in output_tap.bodies if path != "/admin/connections/new"]
    admin_client.get("/admin/audit")
    assert not [body for body in later if secret in body]


def test_error_messages_are_scrubbed_of_known_secrets(app, admin_client):
    configure_everything(admin_client)
    with app.app_context():
        scrubbed = known_secrets(app).redact(f"Jira said: bad token {PLANTED.jira_token}")
    assert scrubbed == "Jira said: bad token [redacted]"


def test_rotating_re_encrypts_every_stored_secret_so_the_old_key_can_go(app, admin_client, db):
    configure_everything(admin_client)
    old_key = app.config["SETTINGS"].encryption_keys[0]
    new_key = Fernet.generate_key().decode()
    rotated = rotate_stored_secrets(db, SecretBox((new_key, old_key)))
    # three credentials, three webhook secrets, one LLM key, one SMTP password, and the Slack
    # entries' secrets: the bot token once, then the token and the team's webhook
    assert rotated == 3 + 3 + 1 + 1 + 3
    new_only = SecretBox((new_key,))
    connections = read_rows(db, select(Connection).order_by(Connection.id))
    assert new_only.decrypt_json(connections[0].credentials_encrypted)["api_token"] == \
        PLANTED.jira_token
    assert new_only.decrypt(connections[2].webhook_secret_encrypted) == \
        PLANTED.linear_webhook_secret
    assert load_llm_settings(db, app.config["SETTINGS"], new_only).api_key == PLANTED.llm_key
    with pytest.raises(SecretUndecryptable):
        SecretBox((old_key,)).decrypt(connections[0].credentials_encrypted)
