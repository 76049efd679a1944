"""The product guide, end to end, from an empty instance, in the browser only (Debian's Chromium).

New OKR Cycle, a company objective, a team objective aligned to it, key results (one decreasing),
Link work from the simulated tracker, Update Progress, AI Analysis & Insights, the mid-cycle
review, Close cycle with final values, the retrospective, Archive. Every page is screenshotted.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from okr_core.accounts import hash_password
from okr_core.domain import Role, TrackerKind
from okr_core.models import User
from tests.simtracker import SimTracker
from tests.sync.sync_world import SyncWorld
from tests.ui_panel.live_server import screenshot, serve
from tests.ui_panel.workspace_browser import NARROW, fits_width, run_analysis

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
EMAIL, PASSWORD = "dana@northwind-okr.com", "correct horse battery staple"


@pytest.fixture
def empty_instance(app, db):
    """Nothing but one admin account, and a Jira connection to the simulated tracker."""
    db.add(User(name="Dana Lead", email=EMAIL, role=Role.ADMIN,
                password_hash=hash_password(PASSWORD)))
    db.commit()
    with SimTracker.start(issues=120, page_size=50) as sim:
        SyncWorld(app).connection(TrackerKind.JIRA, sim.url)
        with serve(app) as port:
            yield f"http://127.0.0.1:{port}", sim


@pytest.fixture
def lead(browser, empty_instance):
    live, _sim = empty_instance
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live}/login")
    screenshot(page, "e2e-01-sign-in")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    yield page
    context.close()


def _bar(page, kr_id: str) -> tuple[float, str]:
    fill = page.locator(f"#kr-{kr_id} .bar-fill").first
    return float(fill.get_attribute("width")), fill.evaluate("el => getComputedStyle(el).fill")


def test_the_guide_from_an_empty_instance(lead, empty_instance):
    page, (live, sim) = lead, empty_instance
    today = date.today()
    expect(page.get_by_text("No cycles yet.")).to_be_visible()
    screenshot(page, "e2e-02-empty-dashboard")
    _create_team(page)
    _new_cycle(page, today)
    company_id = _add_objective(page, "Become the OKR tool engineering teams choose", "company")
    _add_kr(page, "Grow weekly active teams from 40 to 100", "40", "100", "teams")
    _add_kr(page, "Cut time to first OKR from 120 to 30 minutes", "120", "30", "min")
    screenshot(page, "e2e-06-company-objective")
    _add_objective(page, "Ship a sync engine teams trust", "team", parent=company_id)
    _add_kr(page, "Close 90% of the sync engine epic", "0", "90", "%", measure="work_done_ratio")
    screenshot(page, "e2e-07-team-objective")
    _link_work(page, sim)
    _check_in_moves_the_bar(page)
    _run_analysis(page)
    _mid_cycle_review(page)
    _close_with_final_values(page)
    _retrospective_and_archive(page)
    page.set_viewport_size(NARROW)
    for path, name in [("/", "e2e-narrow-dashboard"), ("/alignment", "e2e-narrow-alignment")]:
        page.goto(f"{live}{path}")
        fits_width(page, name)


def _create_team(page) -> None:
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Users & teams").click()
    team_form = page.locator("form", has=page.get_by_role("button", name="Add team"))
    team_form.locator("input[name=name]").fill("Platform")  # both admin forms use id="name"
    team_form.locator("select[name=kind]").select_option("team")
    team_form.get_by_role("button", name="Add team").click()
    expect(page.locator("#teams")).to_contain_text("Platform")
    screenshot(page, "e2e-03-admin-team")


def _new_cycle(page, today: date) -> None:
    page.get_by_role("link", name="Cycles", exact=True).click()
    page.get_by_role("link", name="New OKR Cycle").click()
    page.get_by_label("Time period").fill("Q1 2027")
    page.get_by_label("Scope").select_option("company")
    page.get_by_label("Start date").fill((today - timedelta(days=45)).isoformat())
    page.get_by_label("End date").fill((today + timedelta(days=45)).isoformat())
    page.get_by_label("Activate now").check()
    screenshot(page, "e2e-04-new-cycle")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Q1 2027 is created (active)")).to_be_visible()
    screenshot(page, "e2e-05-cycle-dashboard")


def _add_objective(page, title: str, level: str, parent: str | None = None) -> str:
    page.get_by_role("link", name="Company", exact=True).click()
    page.get_by_role("link", name="Add Objective").click()
    page.get_by_label("Objective", exact=True).fill(title)
    page.get_by_label("Level").select_option(level)
    if parent:
        expect(page.locator(f"#f-parent_id option[value='{parent}']")).to_have_count(1)
        page.get_by_label("Supports (parent objective)").select_option(parent)
        page.get_by_label("Team").select_option(label="Platform")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator("h1")).to_have_text(title)
    return page.url.rsplit("/", 1)[1]


def _add_kr(page, title, start, target, unit, measure="manual") -> None:
    page.get_by_role("link", name="Add Key Result").click()
    page.get_by_label("Key result (metric)").fill(title)
    page.get_by_label("Starting value").fill(start)
    page.get_by_label("Target value").fill(target)
    page.get_by_label("Unit").fill(unit)
    page.get_by_label("How it's measured").select_option(measure)
    page.get_by_role("button", name="Add Key Result").click()
    expect(page.get_by_text("Key result added.")).to_be_visible()


def _link_work(page, sim) -> None:
    children = [sim.issue(k) for k in sim.keys() if sim.issue(k).epic_key == "SIM-1"]
    page.get_by_role("link", name="Close 90% of the sync engine epic").click()
    page.get_by_label("Tracker connection").select_option(label="jira sim (Jira)")
    page.get_by_label("What to link").select_option("epic")
    page.get_by_label("Key, id, name or query").fill("SIM-1")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#link-preview")).to_contain_text(f"Matches {len(children)} issues")
    screenshot(page, "e2e-08-link-preview")
    page.get_by_role("button", name="Link work").click()
    expect(page.locator("tr.linked-item")).to_have_count(len(children), timeout=30_000)
    expect(page.locator("tr.linked-item").first).to_contain_text("SIM-")
    screenshot(page, "e2e-09-linked-issues")


def _check_in_moves_the_bar(page) -> None:
    page.get_by_role("link", name="Company", exact=True).click()
    row = page.locator("li.kr", has_text="Cut time to first OKR")
    kr_id = row.get_attribute("data-kr-id")
    width_before, colour_before = _bar(page, kr_id)
    row.get_by_role("link", name="Update Progress").click()
    page.get_by_label("Current value").fill("48")
    page.get_by_label("Confidence (0-10)").fill("8")
    page.get_by_label("Wins").fill("Templates cut setup to a few minutes")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()
    expect(page.locator(".kr-detail .kr-progress")).to_have_text("80%")
    screenshot(page, "e2e-10-check-in")
    page.get_by_role("link", name="Company", exact=True).click()
    width_after, colour_after = _bar(page, kr_id)
    assert (width_before, width_after) == (0.0, 80.0)
    assert colour_after != colour_before and colour_after == "rgb(31, 122, 58)"  # green


def _run_analysis(page) -> None:
    run_analysis(page)  # the screenshot shows the run this click started, whatever else is queued
    panel = page.locator("#analysis-panel")
    expect(panel.locator(".headline")).to_contain_text("Cycle health")
    text = panel.inner_text()
    assert "{" not in text and "fallback" not in text.lower() and "refs" not in text
    screenshot(page, "e2e-11-analysis")


def _mid_cycle_review(page) -> None:
    page.get_by_role("link", name="Cycles", exact=True).click()
    page.get_by_role("link", name="Mid-cycle review").click()
    expect(page.locator("h1")).to_contain_text("Mid-cycle review")
    page.get_by_label("Notes").fill("Onboarding works; adoption lags. Move one engineer to growth.")
    page.get_by_role("button", name="Save review notes").click()
    expect(page.get_by_text("Mid-cycle review notes saved")).to_be_visible()
    screenshot(page, "e2e-12-mid-cycle-review")


def _close_with_final_values(page) -> None:
    page.get_by_role("link", name="Cycles", exact=True).click()
    page.get_by_role("link", name="Close cycle").click()
    page.get_by_label("Final value of Grow weekly active teams from 40 to 100").fill("many")
    page.get_by_role("button", name="Preview scores").click()
    expect(page.locator(".field-error")).to_contain_text("Enter a number")
    page.get_by_label("Final value of Grow weekly active teams from 40 to 100").fill("88")
    page.get_by_label("Final value of Cut time to first OKR from 120 to 30 minutes").fill("30")
    page.get_by_role("button", name="Preview scores").click()
    grow = page.locator("tr.kr-score", has_text="Grow weekly active teams")
    expect(grow).to_contain_text("0.8")
    expect(page.locator("tr.kr-score", has_text="Cut time to first OKR")).to_contain_text("1.0")
    screenshot(page, "e2e-13-close-preview")
    page.get_by_role("button", name="Close cycle and record these scores").click()
    expect(page.get_by_text("is closed and scored")).to_be_visible()


def _retrospective_and_archive(page) -> None:
    expect(page.locator("h1")).to_contain_text("Retrospective: Q1 2027")
    expect(page.locator("ul.wins")).to_contain_text("Templates cut setup to a few minutes")
    expect(page.get_by_text("Move one engineer to growth.")).to_be_visible()
    expect(page.locator("table.scores")).to_contain_text("Exceeded expectations")
    page.get_by_label("Notes").fill("Ship templates earlier next cycle.")
    page.get_by_role("button", name="Save retrospective notes").click()
    expect(page.get_by_text("Retrospective notes saved.")).to_be_visible()
    screenshot(page, "e2e-14-retrospective")
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("Q1 2027 is archived")).to_be_visible()
    expect(page.locator("tr.cycle-row", has_text="Q1 2027")).to_contain_text("Archived")
    screenshot(page, "e2e-15-archived")
