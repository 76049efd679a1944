"""Slack at the HTTP layer (`responses`): the documented payloads of an incoming webhook and of
chat.postMessage, and Slack's error answers: 429 with Retry-After (re-queued, never slept on),
invalid_token, channel_not_found and a revoked token (kept, shown, sent once fixed)."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
import responses
from sqlalchemy import select

from config.notification_settings import save_slack_bot, save_slack_team
from okr_core.domain import Role
from okr_core.models import NotificationSend
from okr_core.store import session_scope
from sync.notify.jobs import queue_due_notifications, send_again, send_notification
from tests.okrsync.admin.web import make_user, sign_in
from tests.sync.notify.conftest import set_defaults

WEBHOOK = "https://hooks.slack.com/services/T000/B000/platformsecret"
POST_MESSAGE = "https://slack.com/api/chat.postMessage"
BOT_TOKEN = "xoxb-1234-5678-botsecret"


def public_dns(host: str, port: int) -> list[str]:
    return ["34.120.1.1"]   # a public address: the outbound policy lets Slack's hosts through


@pytest.fixture
def slack_world(app, world):
    app.config["OUTBOUND_RESOLVER"] = public_dns
    set_defaults(app, email=False, slack=True)
    box = app.extensions["okrsync.secret_box"]
    with app.app_context(), session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        save_slack_bot(session, None, box, "#okrs", BOT_TOKEN)
        save_slack_team(session, None, box, world.arranged.team_ids["platform"], "", WEBHOOK)
    return world


def rows(app):
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        found = session.scalars(select(NotificationSend).order_by(NotificationSend.id)).all()
        session.expunge_all()
        return found


def queue_and_run(app, now=None):
    with app.app_context():
        ids = queue_due_notifications(now)
    app.extensions["okrsync.queue"].drain(include_delayed=False)
    return ids


@responses.activate
def test_webhook_and_bot_payloads_are_the_documented_shape(app, slack_world):
    responses.post(WEBHOOK, body="ok", status=200)
    responses.post(POST_MESSAGE, json={"ok": True, "channel": "C0OKRS", "ts": "1700000000.000100"})
    queue_and_run(app)

    by_url = {}
    for call in responses.calls:
        by_url.setdefault(call.request.url, []).append(call.request)
    platform = by_url[WEBHOOK]        # the lead (Platform): a reminder and the team digest
    assert len(platform) == 2
    for request in platform:
        body = json.loads(request.body)
        assert "Authorization" not in request.headers
        assert set(body) == {"text", "blocks"} and body["text"]
        assert body["blocks"][0]["type"] == "header"
        assert all(b["type"] in {"header", "section", "context", "divider"} for b in body["blocks"])
        section = next(b for b in body["blocks"] if b["type"] == "section")
        assert section["text"]["type"] == "mrkdwn"
    bot = by_url[POST_MESSAGE]        # the seller (Sales) and the admin (no team): the bot
    assert len(bot) == 2
    for request in bot:
        body = json.loads(request.body)
        assert request.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
        assert request.headers["Content-Type"].startswith("application/json")
        assert body["channel"] == "#okrs" and body["text"] and body["blocks"]
    texts = " ".join(json.loads(r.body)["text"] for r in platform)
    assert "check-in is due" in texts and "Team digest for Platform" in texts
    assert {(r.channel, r.state) for r in rows(app)} == {("slack", "sent")}

    queue_and_run(app)                                  # the next tick sends nothing again
    assert len(responses.calls) == 4


@responses.activate
def test_429_puts_the_message_back_for_retry_after_without_sleeping(app, slack_world):
    responses.post(WEBHOOK, json={"ok": False, "error": "ratelimited"}, status=429,
                   headers={"Retry-After": "17"})
    responses.post(POST_MESSAGE, json={"ok": True})
    started = time.monotonic()
    queue_and_run(app)
    assert time.monotonic() - started < 15               # nothing waited the 17 s
    limited = [r for r in rows(app) if r.state == "retrying"]
    assert len(limited) == 2
    for row in limited:
        assert "429" in row.last_error and "17 s" in row.last_error
        wait = (row.next_attempt_at - datetime.now(timezone.utc)).total_seconds()
        assert 10 < wait <= 17

    responses.replace(responses.POST, WEBHOOK, body="ok", status=200)
    with app.app_context():
        assert send_notification(limited[0].id).state == "retrying"   # not before its time
        with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
            for row in limited:
                session.get(NotificationSend, row.id).next_attempt_at = datetime.now(timezone.utc)
        assert send_notification(limited[0].id).state == "sent"
        queue_due_notifications()                        # the tick hands over the other retry
    app.extensions["okrsync.queue"].drain(include_delayed=False)
    assert {r.state for r in rows(app)} == {"sent"}


@responses.activate
def test_invalid_token_on_a_webhook_is_kept_shown_and_sent_after_the_fix(app, client, slack_world):
    responses.post(WEBHOOK, body="invalid_token", status=403)
    responses.post(POST_MESSAGE, json={"ok": True})
    queue_and_run(app)
    failed = [r for r in rows(app) if r.state == "failed"]
    assert len(failed) == 2
    assert all("invalid_token" in r.last_error and "webhook" in r.last_error for r in failed)

    member = make_user(app, Role.MEMBER)
    sign_in(client, member)
    page = client.get("/sync").text
    assert "Reminders and digests not sent" in page and "invalid_token" in page
    assert "platformsecret" not in page

    new_hook = "https://hooks.slack.com/services/T000/B000/renewed"
    responses.post(new_hook, body="ok")
    with app.app_context(), session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        save_slack_team(session, None, app.extensions["okrsync.secret_box"],
                        slack_world.arranged.team_ids["platform"], "", new_hook)
    with app.app_context():
        assert len(send_again()) == 2
    app.extensions["okrsync.queue"].drain(include_delayed=False)
    assert {r.state for r in rows(app)} == {"sent"}
    assert len([c for c in responses.calls if c.request.url == new_hook]) == 2


@responses.activate
@pytest.mark.parametrize("error, words", [
    ("channel_not_found", "cannot post to #okrs (channel_not_found)"),
    ("token_revoked", "refused the bot token (token_revoked)"),
    ("invalid_auth", "refused the bot token (invalid_auth)"),
])
def test_bot_errors_fail_with_a_clear_message(app, slack_world, error, words):
    responses.post(WEBHOOK, body="ok")
    responses.post(POST_MESSAGE, json={"ok": False, "error": error})
    queue_and_run(app)
    failed = [r for r in rows(app) if r.state == "failed"]
    assert len(failed) == 2 and all(words in r.last_error for r in failed)
    assert all(r.attempts == 1 for r in failed)          # a setting is wrong: no blind retries
