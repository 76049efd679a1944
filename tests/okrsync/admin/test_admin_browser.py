"""In Chromium: sign in, add a Jira connection to the simulated tracker, test it, read the webhook
instructions and the sync status."""
from __future__ import annotations

import os
import re
import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from okr_core.domain import Role
from tests.okrsync.admin.conftest import PLANTED
from tests.okrsync.admin.web import PASSWORD, make_user
from tests.simtracker import SimTracker

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = os.environ.get("OKRSYNC_CHROMIUM") or shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args) -> None:
        """The app logs what matters; werkzeug's access lines would only add noise."""


@contextmanager
def serving(app):
    """The app on a free local port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def database_url(tmp_path) -> str:
    """Browser tests run on SQLite only."""
    return f"sqlite:///{tmp_path / 'okrsync.db'}"


@pytest.fixture
def settings(settings):
    return settings.with_overrides(outbound_allowlist=("127.0.0.1",))


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM:
        pytest.fail("Chromium is not installed (set OKRSYNC_CHROMIUM or run `make browser`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_an_admin_connects_jira_tests_it_and_sees_webhook_steps_and_sync_status(app,
                                                                                browser_page):
    from playwright.sync_api import expect

    email = make_user(app, Role.ADMIN)
    page = browser_page
    with SimTracker.start(issues=3) as sim, serving(app) as base:
        page.goto(f"{base}/admin/connections/new")
        expect(page.get_by_role("heading", name="Sign in to okrsync")).to_be_visible()
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.get_by_role("heading", name="New tracker connection")).to_be_visible()

        page.select_option("#tracker", "jira")
        page.fill("#name", "Simulated Jira")
        page.fill("#base_url", sim.url)
        page.fill("#jira_email", "bot@acme.example")
        page.fill("#jira_api_token", PLANTED.jira_token)
        page.click("text=Save connection")

        expect(page.get_by_role("heading", name="Simulated Jira")).to_be_visible()
        expect(page.locator("#webhook-url")).to_contain_text("/webhooks/jira/")
        expect(page.locator("#webhook-secret")).to_have_text(re.compile(r"^[A-Za-z0-9_-]{40,}$"))
        expect(page.get_by_text("Settings (⚙) → System → WebHooks")).to_be_visible()

        page.click("text=Test connection")
        expect(page.locator("#test-result")).to_contain_text("Connection works.")
        expect(page.locator("#test-result")).to_contain_text("Sim Bot")
        expect(page.locator("#webhook-secret")).to_have_count(0)  # shown once only
        expect(page.locator("#sync")).to_contain_text("Not synced yet.")

        page.click("text=Overview")
        row = page.locator("#sync-status tbody tr", has_text="Simulated Jira")
        expect(row).to_contain_text("never synced")
    assert any(call.path == "/rest/api/3/myself" for call in sim.calls)
