"""One navigation, error pages, narrow screens and the cycle forms, in Debian's Chromium."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from okr_core.models import Cycle, Objective
from tests.ui_panel.conftest import scalar
from tests.ui_panel.live_server import screenshot
from tests.ui_panel.test_ui_browser import live, page  # noqa: F401 (fixtures)
from tests.ui_panel.workspace_browser import NARROW, error_beside, fits_width, kept

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def test_one_navigation_leads_to_admin_and_back(page, live):
    page.get_by_role("link", name="Admin", exact=True).click()
    expect(page.locator("h1")).to_have_text("Connections and sync status")
    assert page.locator("nav[aria-label=Main] [aria-current=page]").inner_text() == "Admin"
    screenshot(page, "admin-with-main-navigation")
    page.get_by_role("link", name="Company", exact=True).click()
    expect(page.locator("h1")).to_have_text("Company OKRs")


def test_missing_pages_and_refused_pages_are_styled(page, live, browser):
    response = page.goto(f"{live}/key-results/999999")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("This page does not exist")
    expect(page.get_by_role("link", name="Back to Company OKRs")).to_be_visible()
    screenshot(page, "error-404")
    assert page.goto(f"{live}/favicon.ico").status == 200


def test_long_words_wrap_and_360_px_holds(page, live, db, demo):
    objective = db.scalar(select(Objective).order_by(Objective.id))
    objective.title = "W" * 500
    db.commit()
    page.set_viewport_size(NARROW)
    for path, name in [("/", "narrow-company"), ("/cycles", "narrow-cycles"),
                       (f"/cycles/{demo}/review", "narrow-review"), ("/admin/", "narrow-admin")]:
        page.goto(f"{live}{path}")
        fits_width(page, name)


def test_new_cycle_refuses_bad_input_beside_the_field_and_keeps_it(page, live, db, demo):
    existing = scalar(db, select(Cycle.name).where(Cycle.id == demo))
    page.goto(f"{live}/cycles")
    page.get_by_role("link", name="New OKR Cycle").click()
    page.get_by_role("button", name="Create").click()
    error_beside(page, "name", "Fill this in.")
    error_beside(page, "start_date", "Enter the start date.")
    page.get_by_label("Time period").fill("<b>Q9</b>")
    page.get_by_label("Start date").fill("2027-06-01")
    page.get_by_label("End date").fill("2027-03-01")
    page.get_by_role("button", name="Create").click()
    error_beside(page, "name", "HTML tags")
    error_beside(page, "end_date", "End date must be after start date.")
    kept(page, "name", "<b>Q9</b>")
    page.get_by_label("Time period").fill("Q" * 201)
    page.get_by_role("button", name="Create").click()
    error_beside(page, "name", "200 characters or fewer")
    screenshot(page, "cycle-form-errors")
    cycle = db.get(Cycle, demo)
    start, end = cycle.start_date.isoformat(), cycle.end_date.isoformat()
    db.commit()
    page.get_by_label("Time period").fill(existing.lower())
    page.get_by_label("Start date").fill(start)
    page.get_by_label("End date").fill(end)
    page.get_by_role("button", name="Create").click()
    error_beside(page, "name", "already covers part of this period")


def test_cycle_lifecycle_create_activate_edit_close_archive(page, live):
    page.goto(f"{live}/cycles/new")
    page.get_by_label("Time period").fill("Q1 2031")
    page.get_by_label("Scope").select_option("department")
    page.get_by_label("Start date").fill("2031-01-01")
    page.get_by_label("End date").fill("2031-03-31")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Q1 2031 is created (draft)")).to_be_visible()
    page.get_by_role("link", name="Cycles", exact=True).click()
    row = page.locator("tr.cycle-row", has_text="Q1 2031")
    row.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Q1 2031 is active")).to_be_visible()
    row.get_by_role("link", name="Edit").click()
    page.get_by_label("Time period").fill("Q1 2031 Platform")
    page.get_by_role("button", name="Save").click()
    row = page.locator("tr.cycle-row", has_text="Q1 2031 Platform")
    expect(row.locator(".cycle-status")).to_have_text("Active")
    row.get_by_role("link", name="Close cycle").click()
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_text("is closed and scored")).to_be_visible()
    page.get_by_role("link", name="Cycles", exact=True).click()
    row.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("Q1 2031 Platform is archived")).to_be_visible()
    expect(row.locator(".cycle-status")).to_have_text("Archived")
    screenshot(page, "cycles-after-archive")


def test_review_notes_refuse_markup_and_keep_what_was_typed(page, live, demo):
    page.goto(f"{live}/cycles/{demo}/review")
    page.get_by_label("Notes").fill("Adoption <img src=x> lags")
    page.get_by_role("button", name="Save review notes").click()
    error_beside(page, "notes", "HTML tags")
    kept(page, "notes", "Adoption <img src=x> lags")
    # Too long cannot be typed: the field carries the limit as maxlength (the server checks too).
    assert page.get_by_label("Notes").get_attribute("maxlength") == "20000"
    page.get_by_label("Notes").fill("Adoption lags; pair sales with onboarding.")
    page.get_by_role("button", name="Save review notes").click()
    expect(page.get_by_text("Mid-cycle review notes saved on the cycle.")).to_be_visible()
    screenshot(page, "mid-cycle-review")
