"""In Chromium: sign in, add a Jira connection to the simulated tracker, test it, read the webhook
instructions and the sync status."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from okr_core.domain import Role
from tests.okrsync.admin.conftest import PLANTED
from tests.okrsync.admin.web import PASSWORD, make_user
from tests.simtracker import SimTracker
from tests.ui_panel.live_server import screenshot, serve_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def database_url(tmp_path) -> str:
    """Browser tests run on SQLite only."""
    return f"sqlite:///{tmp_path / 'okrsync.db'}"


@pytest.fixture
def settings(settings):
    return settings.with_overrides(outbound_allowlist=("127.0.0.1",))


def test_an_admin_connects_jira_tests_it_and_sees_webhook_steps_and_sync_status(app, browser):
    email = make_user(app, Role.ADMIN)
    page = browser.new_page()
    with SimTracker.start(issues=3) as sim, serve_url(app) as base:
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
        screenshot(page, "admin-new-connection-synced-status")
    assert any(call.path == "/rest/api/3/myself" for call in sim.calls)
