"""AI Analysis & Insights in Debian's Chromium: run from the header, read as text, per scope."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from okr_core.models import Analysis

from tests.ui_panel.live_server import SCREENSHOTS, screenshot
from tests.ui_panel.test_ui_browser import live, page  # noqa: F401 (fixtures)
from tests.ui_panel.workspace_browser import NARROW, fits_width, run_analysis

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


def test_the_panel_names_the_run_it_shows_while_a_newer_one_runs(page, live, db, demo):
    shown = Analysis(cycle_id=demo, scope="company", state="done",
                     narrative={"headline": "Cycle health 61 of 100"}, sections={},
                     created_at=datetime(2026, 11, 20, 9, 5, tzinfo=timezone.utc))
    db.add(shown)
    db.commit()
    db.add(Analysis(cycle_id=demo, scope="company", state="queued",  # never run: stays pending
                    created_at=datetime(2026, 11, 24, 14, 30, tzinfo=timezone.utc)))
    db.commit()
    for viewport, name in (({"width": 1280, "height": 900}, "analysis-pending-wide"),
                           (NARROW, "analysis-pending-360")):
        page.set_viewport_size(viewport)
        page.reload()
        panel = page.locator("#analysis-panel")
        expect(panel.locator(".running")).to_have_text(
            "Showing the analysis of 20 Nov 09:05 UTC. A newer one, started 24 Nov 14:30 UTC, is "
            "running; it replaces this one when done (typically 10 to 20 seconds).")
        expect(panel).to_have_attribute("data-shown-run", str(shown.id))
        fits_width(page, name)
