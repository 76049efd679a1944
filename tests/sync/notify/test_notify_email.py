"""Reminders and digests by email through a real SMTP server: recipients, subjects, both parts,
the signed unsubscribe link (followed: nothing more is sent), and one message per week."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from okr_core.models import NotificationPreference, NotificationSend
from sync.notify.jobs import queue_due_notifications

UNSUBSCRIBE = re.compile(r"http://127\.0\.0\.1:8000(/unsubscribe/[A-Za-z0-9._-]+)")


def send_due(app, now=None):
    with app.app_context():
        ids = queue_due_notifications(now)
    app.extensions["okrsync.queue"].drain(include_delayed=False)
    return ids


def parts(message):
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


def test_reminders_and_digests_reach_each_person_once_with_both_parts(app, db, world, smtp_server):
    send_due(app)
    inbox, emails = smtp_server.inbox, world.emails
    [lead_reminder] = [m for m in inbox.to(emails["lead"]) if m["Subject"].startswith("Check-in due")]
    assert lead_reminder["Subject"] == "Check-in due Monday 00:00 (UTC): 2 key results"
    assert lead_reminder["From"] == "okrs@northwind.example"
    text, html = parts(lead_reminder)
    assert "public KR" in text and "team KR" in text and "http://127.0.0.1:8000/mine" in text
    assert '<a href="http://127.0.0.1:8000/mine">' in html and "public KR" in html
    assert f"/key-results/{world.arranged.kr_ids['public']}" in html
    [seller_reminder] = inbox.to(emails["seller"])
    assert seller_reminder["Subject"] == "Check-in due Monday 00:00 (UTC): 1 key result"
    assert inbox.to(emails["dev"]) == []          # owns no key result, leads nothing

    [monday] = inbox.to(emails["admin"])
    assert monday["Subject"].startswith("Monday digest: Q1 2026, health ")
    text, html = parts(monday)
    assert "Health:" in text and ("since last week" in text or "no earlier week" in text)
    assert "http://127.0.0.1:8000/" in html
    [team_digest] = [m for m in inbox.to(emails["lead"]) if m["Subject"].startswith("Team digest")]
    assert team_digest["Subject"].startswith("Team digest for Platform: Q1 2026")

    for message in (lead_reminder, monday, team_digest):
        text, html = parts(message)
        link = UNSUBSCRIBE.search(text).group(0)
        assert link in html
        assert message["List-Unsubscribe"].strip() == f"<{link}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    sent = db.scalars(select(NotificationSend)).all()
    assert sorted((s.kind, s.state) for s in sent) == [
        ("leadership_digest", "sent"), ("reminder", "sent"), ("reminder", "sent"), ("team_digest", "sent")]
    assert {s.channel for s in sent} == {"email"}
    db.rollback()                                 # no read transaction left open on SQLite

    before = len(inbox.received)
    send_due(app)                                 # the next tick, the same week
    assert len(inbox.received) == before


def test_the_unsubscribe_link_works_without_sign_in_and_nothing_more_is_sent(
        app, client, db, world, smtp_server):
    send_due(app)
    [reminder] = smtp_server.inbox.to(world.emails["seller"])
    path = UNSUBSCRIBE.search(parts(reminder)[0]).group(1)

    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe from okrsync emails" in page.text
    done = client.post(path)
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    seller_id = world.arranged.users["seller"][0]
    row = db.get(NotificationPreference, seller_id)
    assert row.unsubscribed_at is not None and row.email is False
    db.rollback()

    next_week = datetime.now(timezone.utc) + timedelta(days=7)
    send_due(app, next_week)
    assert len(smtp_server.inbox.to(world.emails["seller"])) == 1
    assert len([m for m in smtp_server.inbox.to(world.emails["lead"])
                if m["Subject"].startswith("Check-in due")]) == 2      # others still get theirs


def test_a_forged_or_damaged_unsubscribe_link_changes_nothing(app, client, db, world):
    from sync.notify.links import unsubscribe_token

    seller_id = world.arranged.users["seller"][0]
    forged = unsubscribe_token("not-the-app-key", seller_id)
    for path in (f"/unsubscribe/{forged}", "/unsubscribe/garbage"):
        answer = client.post(path)
        assert answer.status_code == 404 and "This link does not work" in answer.text
    assert db.get(NotificationPreference, seller_id) is None


def test_one_click_unsubscribe_from_a_mail_client(app, client, db, world, smtp_server):
    send_due(app)
    [reminder] = smtp_server.inbox.to(world.emails["seller"])
    url = reminder["List-Unsubscribe"].strip().strip("<>").replace("http://127.0.0.1:8000", "")
    answer = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 204
    assert db.get(NotificationPreference, world.arranged.users["seller"][0]).unsubscribed_at


def test_checked_in_within_the_skip_window_gets_no_reminder(app, db, world, smtp_server):
    from tests.sync.notify.conftest import set_defaults

    set_defaults(app, skip_days=5)                # every KR was checked in 3 days ago
    send_due(app)
    assert [m["Subject"] for m in smtp_server.inbox.to(world.emails["seller"])] == []
    assert not [m for m in smtp_server.inbox.to(world.emails["lead"])
                if m["Subject"].startswith("Check-in due")]


def test_the_schedulers_tick_sends_what_is_due(app, world, smtp_server):
    from sync.reconcile.scheduler import scheduled_work

    with app.app_context():
        scheduled_work()
    app.extensions["okrsync.queue"].drain(include_delayed=False)
    assert len(smtp_server.inbox.received) == 4
