"""The demo dashboard in Debian's Chromium: every view, a check-in, trend points, framing."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from okr_core.accounts import hash_password
from okr_core.domain import Measure
from okr_core.models import Connection, KeyResult, ProgressSnapshot, Team, User
from okrsync.demo import DEMO_ADMIN_EMAIL
from tests.ui_panel.conftest import linked_issue, scalar
from tests.ui_panel.live_server import (
    framing_page, screenshot, serve, signed_in_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
PASSWORD = "correct horse battery"
RED = "rgb(179, 38, 30)"



@pytest.fixture
def live(app, db, demo):
    """The demo app on a real port, with a password for its admin; yields the base URL."""
    admin = db.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL))
    admin.password_hash = hash_password(PASSWORD)
    db.commit()
    with serve(app) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def page(browser, live):
    context, page = signed_in_page(browser, live, DEMO_ADMIN_EMAIL, PASSWORD, {"width": 1280, "height": 900})
    yield page
    context.close()


def test_every_view_renders(page, live, db, demo):
    kr_count = scalar(db, select(func.count()).select_from(KeyResult))
    assert page.locator("li.kr").count() == kr_count
    expect(page.get_by_text("No analysis yet.")).to_be_visible()
    screenshot(page, "company")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for link, name, heading in [("Team", "team", "Northwind Labs OKRs"),
                                ("My OKRs", "mine", "My OKRs"), ("Reports", "reports", "Reports"),
                                ("Sync", "sync", "Sync state")]:
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.locator("h1")).to_have_text(heading)
        assert page.locator("[aria-current=page]").first.inner_text() == link
        screenshot(page, name)
    expect(page.get_by_text("never synced")).to_be_visible()
    page.goto(f"{live}/cycles/{demo}/close")
    assert page.locator("tr.objective-score").count() > 0
    screenshot(page, "cycle-close")
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_text("is closed and scored")).to_be_visible()
    page.goto(f"{live}/cycles/{demo}/retrospective")
    expect(page.locator("h1")).to_contain_text("Retrospective")
    screenshot(page, "retrospective")


def _bar_state(page, kr_id: int) -> tuple[float, str, str]:
    fill = page.locator(f"#kr-{kr_id} .bar-fill").first
    colour = fill.evaluate("el => getComputedStyle(el).fill")
    return float(fill.get_attribute("width")), page.locator(f"#kr-{kr_id}").get_attribute(
        "data-status"), colour


def test_check_in_moves_the_bar_and_the_status_colour(page, live, db):
    kr = db.scalar(select(KeyResult).where(KeyResult.measure == Measure.MANUAL,
                                           KeyResult.status != "off_track",
                                           KeyResult.progress < 0.9).order_by(KeyResult.id))
    kr_id, target = kr.id, kr.target_value
    db.commit()
    page.goto(f"{live}/#kr-{kr_id}")
    width_before, status_before, colour_before = _bar_state(page, kr_id)
    page.get_by_role("link", name=kr.title).click()
    expect(page.locator("h1")).to_have_text(kr.title)
    screenshot(page, "key-result-before")
    page.get_by_label("Current value").fill(f"{target:g}")
    page.get_by_label("Status").select_option("off_track")
    page.get_by_label("Confidence (0-10)").fill("2")
    page.get_by_label("Blockers").fill("Waiting on legal review")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()
    screenshot(page, "key-result-after")
    page.goto(f"{live}/#kr-{kr_id}")
    width_after, status_after, colour_after = _bar_state(page, kr_id)
    assert (width_before, status_after, width_after) == (width_before, "off_track", 100.0)
    assert width_before < 90 and status_before != "off_track"
    assert colour_after == RED != colour_before
    assert page.locator(f"#kr-{kr_id} .status").inner_text().strip().endswith("Off track")


def test_check_in_errors_show_beside_their_fields(page, live, db):
    kr_id = scalar(db, select(KeyResult.id).where(KeyResult.measure == Measure.MANUAL))
    page.goto(f"{live}/key-results/{kr_id}")
    page.get_by_label("Confidence (0-10)").fill("12")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#err-confidence")).to_have_text("Enter 0 to 10.")
    assert page.get_by_label("Confidence (0-10)").get_attribute("aria-invalid") == "true"
    screenshot(page, "check-in-errors")


def test_trend_chart_draws_a_point_per_snapshot(page, live, db):
    kr_id = scalar(db, select(KeyResult.id).order_by(KeyResult.id))
    snapshots = scalar(db, select(func.count()).select_from(ProgressSnapshot).where(
        ProgressSnapshot.key_result_id == kr_id, ProgressSnapshot.progress.is_not(None)))
    page.goto(f"{live}/key-results/{kr_id}")
    chart = page.locator("section.kr-detail svg.trend")
    assert chart.locator("circle.trend-point").count() == snapshots > 1
    assert chart.locator("polyline.trend-line").count() == 1
    assert page.locator(f"#kr-{kr_id} circle.trend-point").count() == snapshots


def test_panel_is_framed_by_a_tracker_site_and_refused_by_others(page, live, app, db):
    team_id = scalar(db, select(Team.id).where(Team.name == "Platform"))
    panel_url = f"{live}/panel/team/{team_id}"
    with serve(framing_page(panel_url)) as allowed_port, \
            serve(framing_page(panel_url)) as other_port:
        db.add(Connection(tracker="jira", name="Tracker test site",
                          base_url=f"http://127.0.0.1:{allowed_port}"))
        db.commit()
        page.goto(f"http://127.0.0.1:{allowed_port}/")
        frame = page.frame_locator("#okrsync")
        expect(frame.locator("h1")).to_contain_text("Platform OKRs")
        assert frame.locator("li.kr").count() > 0
        screenshot(page, "panel-framed-allowed")
        with page.expect_console_message(lambda m: "frame-ancestors" in m.text, timeout=15000):
            page.goto(f"http://localhost:{other_port}/")
        child = page.frames[1]
        for _ in range(50):  # the refusal is logged before the frame shows Chromium's error page
            if child.url.startswith("chrome-error://"):
                break
            page.wait_for_timeout(100)
        assert child.url.startswith("chrome-error://")
        assert child.locator("h1.panel-title").count() == 0
        screenshot(page, "panel-framed-refused")


def test_issue_panel_shows_the_key_results_an_issue_moves(page, live, db):
    connection_id, key, kr_title = linked_issue(db)
    page.goto(f"{live}/panel/issue/{connection_id}/{key}")
    expect(page.locator("h1")).to_contain_text(key)
    expect(page.get_by_text(kr_title)).to_be_visible()
    assert page.locator("li.kr .status").first.inner_text().strip() in (
        "On track", "At risk", "Off track")
    screenshot(page, "panel-issue")
