"""What `okrsync serve` runs (okrsync/intake_asgi.py): deliveries answered on an event loop with the
answers, headers and error format intake gives everywhere, rows of deliveries arriving together
written together, and every other request handed to Flask."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import OperationalError

import okrsync.intake_asgi
import webhooks.intake_store
from okr_core.domain import TrackerKind
from okr_core.ids import MAX_ID
from okrsync.intake_asgi import IntakeFront
from plumbing.handoff_pusher import wait_for_hand_offs
from tests.webhooks.intake.asgi_calls import call, call_together
from tests.webhooks.intake.intake_helpers import deliveries, fixture_delivery
from webhooks.events import MAX_BODY_BYTES

JIRA = TrackerKind.JIRA
RESOLVED = "jira_issue_updated__resolved"


@pytest.fixture
def front(app):
    yield IntakeFront(app)
    webhooks.intake_store.loop_intake_writer(app).close()


@pytest.fixture
def cached_lookups(app, monkeypatch):
    """Connection lookups reused for a minute, as served (the tests' app looks up every time)."""
    monkeypatch.setitem(app.config, "WEBHOOK_CONNECTION_TTL", 60)


def _delivery(key: str, **headers) -> dict:
    body, signed = fixture_delivery(JIRA, RESOLVED, key)
    return {"body": body, "headers": {"Content-Type": "application/json", **signed, **headers}}


def _handed_off(app) -> None:
    with app.app_context():
        assert wait_for_hand_offs()


def _has_security_headers(sent) -> None:
    assert sent.headers["x-frame-options"] == "DENY"
    assert sent.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in sent.headers["content-security-policy"]


def test_a_delivery_is_stored_and_answered_without_flask(app, front, jira_id, flask_requests):
    sent = call(front, "POST", f"/webhooks/jira/{jira_id}", **_delivery("asgi-1"))
    _handed_off(app)
    assert sent.status == 200 and sent.json()["status"] == "accepted"
    assert sent.json()["delivery_id"] == deliveries(app)[0].id
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["content-length"] == str(len(sent.body))
    _has_security_headers(sent)
    assert "strict-transport-security" not in sent.headers
    assert flask_requests == []


def test_deliveries_arriving_together_are_written_in_one_insert(app, front, jira_id,
                                                                cached_lookups, monkeypatch):
    inserts = []
    real_insert = webhooks.intake_store._insert
    monkeypatch.setattr(webhooks.intake_store, "_insert",
                        lambda rows: inserts.append(len(rows)) or real_insert(rows))
    call(front, "POST", f"/webhooks/jira/{jira_id}", **_delivery("asgi-warm"))   # caches the lookup
    path = f"/webhooks/jira/{jira_id}"
    keys = ["asgi-b1", "asgi-b2", "asgi-b3", "asgi-b2", "asgi-b4"]   # one key twice
    sent = call_together(front, [("POST", path, _delivery(key)) for key in keys])
    _handed_off(app)
    assert inserts == [1, 4]   # the warm-up alone, then the four distinct keys at once
    assert [answer.json()["status"] for answer in sent] == [
        "accepted", "accepted", "accepted", "duplicate", "accepted"]
    stored = {row.dedupe_key: row.id for row in deliveries(app)}
    assert [answer.json().get("delivery_id") for answer in sent] == [
        stored["asgi-b1"], stored["asgi-b2"], stored["asgi-b3"], None, stored["asgi-b4"]]


def test_a_repeated_delivery_is_answered_duplicate_and_stored_once(app, front, jira_id):
    first = call(front, "POST", f"/webhooks/jira/{jira_id}", **_delivery("asgi-dup"))
    again = call(front, "POST", f"/webhooks/jira/{jira_id}", **_delivery("asgi-dup"))
    _handed_off(app)
    assert first.json()["status"] == "accepted" and again.json()["status"] == "duplicate"
    assert len(deliveries(app)) == 1


def test_refusals_keep_their_status_format_and_headers(app, front, jira_id, flask_requests):
    forged = _delivery("asgi-2")
    forged["headers"]["X-Hub-Signature"] = "sha256=" + "0" * 64
    refused = call(front, "POST", f"/webhooks/jira/{jira_id}", **forged)
    assert refused.status == 401 and refused.json()["error"]["code"] == "signature-mismatch"
    _has_security_headers(refused)
    unknown = call(front, "POST", f"/webhooks/jira/{jira_id + 1000}", **_delivery("asgi-3"))
    assert unknown.status == 404 and unknown.json()["error"]["code"] == "unknown-connection"
    assert flask_requests == [] and deliveries(app) == []


def test_a_body_declared_too_large_is_413_unread(app, front, jira_id):
    delivery = _delivery("asgi-big")
    headers = {**delivery["headers"], "Content-Length": str(MAX_BODY_BYTES + 1)}
    sent = call(front, "POST", f"/webhooks/jira/{jira_id}", headers=headers,
                chunks=[b"{}"], disconnect=True)   # would be None (client gone) if it were read
    assert sent.status == 413 and sent.json()["error"]["code"] == "body-too-large"
    assert deliveries(app) == []


def test_a_streamed_body_over_the_limit_is_413_read_no_further(app, front, jira_id):
    delivery = _delivery("asgi-stream")
    part = b" " * (1024 * 1024)
    chunks = [part] * (MAX_BODY_BYTES // len(part) + 1) + [b"never read"]
    sent = call(front, "POST", f"/webhooks/jira/{jira_id}", headers=delivery["headers"],
                chunks=chunks, disconnect=True)
    assert sent.status == 413 and sent.json()["error"]["code"] == "body-too-large"


def test_a_body_in_several_parts_is_put_together(app, front, jira_id):
    delivery = _delivery("asgi-parts")
    body = delivery["body"]
    sent = call(front, "POST", f"/webhooks/jira/{jira_id}", headers=delivery["headers"],
                chunks=[body[:100], body[100:5000], body[5000:]])
    _handed_off(app)
    assert sent.status == 200 and bytes(deliveries(app)[0].body) == body


def test_a_client_gone_before_its_body_ends_gets_nothing_and_nothing_is_stored(app, front,
                                                                               jira_id):
    delivery = _delivery("asgi-gone")
    sent = call(front, "POST", f"/webhooks/jira/{jira_id}", headers=delivery["headers"],
                chunks=[delivery["body"][:100]], disconnect=True)
    assert sent.status is None and deliveries(app) == []


def test_https_behind_a_proxy_or_direct_gets_hsts(front, jira_id):
    proxied = call(front, "POST", f"/webhooks/jira/{jira_id}",
                   **_delivery("asgi-4", **{"X-Forwarded-Proto": "https"}))
    direct = call(front, "POST", f"/webhooks/jira/{jira_id}", scheme="https",
                  **_delivery("asgi-5"))
    for sent in (proxied, direct):
        assert sent.status == 200
        assert sent.headers["strict-transport-security"].startswith("max-age=31536000")


def test_a_store_that_is_down_is_503_and_the_tracker_retries(app, front, jira_id, monkeypatch):
    def down(rows):
        raise OperationalError("INSERT", {}, RuntimeError("connection refused"))
    monkeypatch.setattr(webhooks.intake_store, "_insert", down)
    sent = call(front, "POST", f"/webhooks/jira/{jira_id}", **_delivery("asgi-down"))
    assert sent.status == 503 and sent.json()["error"]["code"] == "store-unavailable"
    monkeypatch.undo()
    retried = call(front, "POST", f"/webhooks/jira/{jira_id}", **_delivery("asgi-down"))
    _handed_off(app)
    assert retried.json()["status"] == "accepted" and len(deliveries(app)) == 1


def test_a_store_error_escaping_intake_is_503_with_retry_after(front, jira_id, monkeypatch):
    def failing(*_args):
        raise OperationalError("SELECT", {}, RuntimeError("gone"))
    monkeypatch.setattr(okrsync.intake_asgi, "check_delivery", failing)
    sent = call(front, "POST", f"/webhooks/jira/{jira_id}", **_delivery("asgi-6"))
    assert sent.status == 503 and sent.headers["retry-after"] == "5"
    assert sent.json()["error"]["code"] == "store_unavailable"


def test_an_unexpected_error_is_500_in_the_error_format(front, jira_id, monkeypatch, caplog):
    def failing(*_args):
        raise RuntimeError("bug with a detail")
    monkeypatch.setattr(okrsync.intake_asgi, "check_delivery", failing)
    sent = call(front, "POST", f"/webhooks/jira/{jira_id}", **_delivery("asgi-7"))
    assert sent.status == 500 and sent.json()["error"]["code"] == "internal_server_error"
    assert b"detail" not in sent.body
    _has_security_headers(sent)
    assert "webhooks.intake-failed" in caplog.text


def test_verifying_runs_on_the_loop_once_the_lookup_is_cached(app, front, jira_id,
                                                              cached_lookups, monkeypatch):
    threads = []
    real_check = okrsync.intake_asgi.check_delivery

    def check(*args):
        threads.append(threading.current_thread() is threading.main_thread())
        return real_check(*args)
    monkeypatch.setattr(okrsync.intake_asgi, "check_delivery", check)
    for key in ("asgi-8", "asgi-9"):
        assert call(front, "POST", f"/webhooks/jira/{jira_id}", **_delivery(key)).status == 200
    assert threads == [False, True]   # the first looked the connection up, on a thread


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_other_methods_reach_flask_405_with_allow(front, jira_id, flask_requests, method):
    sent = call(front, method, f"/webhooks/jira/{jira_id}")
    assert sent.status == 405 and "POST" in sent.headers["allow"]
    assert sent.json()["error"]["code"] == "method_not_allowed"
    assert flask_requests == [f"/webhooks/jira/{jira_id}"]


@pytest.mark.parametrize("path", [f"/webhooks/jira/{MAX_ID + 1}", "/webhooks/gitlab/1",
                                  "/webhooks/jira/1/"])
def test_paths_it_does_not_answer_reach_flask_as_404(front, flask_requests, path):
    sent = call(front, "POST", path, body=b"{}", headers={"Content-Type": "application/json"})
    assert sent.status == 404 and sent.json()["error"]
    assert flask_requests == [path]


def test_pages_are_served_by_flask(front, flask_requests):
    sent = call(front, "GET", "/login")
    assert sent.status == 200 and b"<form" in sent.body
    assert sent.headers["content-type"].startswith("text/html")
    assert flask_requests == ["/login"]


def test_lifespan_starts_and_stops_the_writer(app, front):
    """uvicorn sends the shutdown once the requests in flight are answered; the writer's thread
    then ends (LoopGroupCommit.close waits for a batch still being written)."""
    import asyncio

    events = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent = []

    async def receive():
        return events.pop(0)

    async def send(message):
        sent.append(message["type"])

    asyncio.run(front({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert webhooks.intake_store.loop_intake_writer(app)._writer._shutdown
