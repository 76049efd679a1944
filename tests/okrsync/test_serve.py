"""`okrsync serve` as a deployment runs it: gunicorn with okrsync's uvicorn worker, deliveries
answered on its event loop, pages through a2wsgi, a clean stop on SIGTERM."""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from okr_core.accounts import hash_password
from okr_core.domain import TrackerKind
from okr_core.models import User
from okrsync.demo import DEMO_ADMIN_EMAIL
from tests.faults.private_redis import free_port
from tests.ui_panel.conftest import demo, demo_store  # noqa: F401 (fixtures)
from tests.ui_panel.live_server import screenshot, signed_in_page
from tests.webhooks.intake.intake_helpers import add_connection, deliveries, fixture_delivery

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _serve(settings, log_path: Path, redis_url: str | None = None, workers: int | None = None):
    port = free_port()
    env = {**os.environ, "OKRSYNC_DATABASE_URL": settings.database_url,
           "OKRSYNC_SECRET_KEY": settings.secret_key,
           "OKRSYNC_ENCRYPTION_KEY": settings.encryption_keys[0],
           "OKRSYNC_INSTANCE_PATH": str(settings.instance_path),
           "OKRSYNC_DOTENV": str(log_path.parent / "no.env")}
    env.pop("OKRSYNC_REDIS_URL", None)
    if redis_url:
        env["OKRSYNC_REDIS_URL"] = redis_url
    command = [sys.executable, "-m", "okrsync.cli", "serve", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    log = log_path.open("ab")
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("okrsync serve did not answer /healthz:\n" + log_path.read_text())


def _request(port: int, method: str, path: str, body: bytes | None = None,
             headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def _deliver_and_browse(app, port: int, connection_id: int, key: str) -> None:
    body, headers = fixture_delivery(TrackerKind.JIRA, "jira_issue_updated__resolved", key)
    path = f"/webhooks/jira/{connection_id}"
    status, sent_headers, answer = _request(
        port, "POST", path, body, {"Content-Type": "application/json", **headers})
    assert status == 200 and json.loads(answer)["status"] == "accepted"
    assert sent_headers["x-content-type-options"] == "nosniff"
    again = _request(port, "POST", path, body, {"Content-Type": "application/json", **headers})
    assert json.loads(again[2])["status"] == "duplicate"
    headers["X-Hub-Signature"] = "sha256=" + "0" * 64
    assert _request(port, "POST", path, body, headers)[0] == 401
    status, page_headers, page = _request(port, "GET", "/login")
    assert status == 200 and b"<form" in page
    assert page_headers["cache-control"] == "no-store"
    status, allowed, _ = _request(port, "GET", path)
    assert status == 405 and "POST" in allowed["allow"]
    assert [row.dedupe_key for row in deliveries(app)] == [key]


def test_embedded_serve_answers_deliveries_and_pages_and_stops_cleanly(app, settings, tmp_path):
    connection_id = add_connection(app, TrackerKind.JIRA, "https://example.atlassian.net",
                                   {"email": "bot@example.test", "api_token": "t"})
    process, port = _serve(settings, tmp_path / "serve.log")
    try:
        _deliver_and_browse(app, port, connection_id, "serve-embedded")
    finally:
        code = _stop(process)
    log = (tmp_path / "serve.log").read_text()
    assert code == 0, log
    assert '"POST /webhooks/jira/' in log   # the access log


def test_serve_with_redis_runs_several_workers(app, settings, tmp_path, redis_db):
    from tests.worker_redis import REDIS_URL

    connection_id = add_connection(app, TrackerKind.JIRA, "https://example.atlassian.net",
                                   {"email": "bot@example.test", "api_token": "t"})
    process, port = _serve(settings, tmp_path / "serve.log", REDIS_URL, workers=2)
    try:
        _deliver_and_browse(app, port, connection_id, "serve-redis")
    finally:
        code = _stop(process)
    assert code == 0, (tmp_path / "serve.log").read_text()


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_pages_through_serve_sign_in_and_add_an_objective(app, db, demo, settings, tmp_path,
                                                          browser):
    """Pages reach Flask through a2wsgi: sign-in (CSRF, session cookie, redirect), static files,
    a form posted and its redirect, at a phone's width and a wide screen's."""
    password = "correct horse battery"
    db.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL)).password_hash = \
        hash_password(password)
    db.commit()
    process, port = _serve(settings, tmp_path / "serve.log")
    live = f"http://127.0.0.1:{port}"
    try:
        for width in (360, 1280):
            context, page = signed_in_page(browser, live, DEMO_ADMIN_EMAIL, password,
                                           {"width": width, "height": 900})
            expect(page.get_by_role("link", name="Add Objective")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"serve-home-{width}")
            if width == 1280:
                page.get_by_role("link", name="Add Objective").click()
                page.get_by_label("Objective", exact=True).fill("Served through the event loop")
                page.get_by_role("button", name="Save and publish").click()
                expect(page.get_by_text("Objective added. Next: Add Key Result.")).to_be_visible()
                screenshot(page, "serve-objective-added")
            context.close()
    finally:
        assert _stop(process) == 0, (tmp_path / "serve.log").read_text()
