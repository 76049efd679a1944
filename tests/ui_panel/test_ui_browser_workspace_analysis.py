"""AI Analysis & Insights in Debian's Chromium: run from the header, read as text, per scope."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.ui_panel.live_server import SCREENSHOTS, screenshot
from tests.ui_panel.test_ui_browser import browser, live, page  # noqa: F401 (fixtures)
from tests.ui_panel.workspace_browser import run_analysis

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
DEVELOPER_WORDS = ("{", "refs", "fallback", "no_api_key", "kr:", "objective:")


def _reads_as_text(panel) -> None:
    text = panel.inner_text()
    assert not [word for word in DEVELOPER_WORDS if word in text], text


def test_analysis_runs_from_the_header_and_reads_as_text(page, live):
    run_analysis(page)
    panel = page.locator("#analysis-panel")
    expect(panel.locator(".headline")).to_contain_text("Cycle health")
    expect(panel.locator(".forecast-range").first).to_contain_text("simulated endings")
    expect(panel.get_by_role("heading", name="Areas of concern")).to_be_visible()
    expect(panel.locator(".breakdown")).to_contain_text("On track")
    _reads_as_text(panel)
    concern_link = panel.locator("h3:has-text('Areas of concern') + ul a").first
    screenshot(page, "analysis-company")
    panel.screenshot(path=str(SCREENSHOTS / "analysis-panel.png"))
    concern_link.click()
    expect(page.locator("h1")).to_be_visible()
    assert "/key-results/" in page.url or "/objectives/" in page.url


def test_team_and_my_views_compute_their_own_analysis(page, live):
    for link in ("Team", "My OKRs"):
        page.get_by_role("link", name=link, exact=True).click()
        panel = page.locator("#analysis-panel")
        expect(panel.locator(".headline")).to_be_visible(timeout=60_000)
        _reads_as_text(panel)
        screenshot(page, f"analysis-{link.lower().replace(' ', '-')}")
