"""Objectives, key results and linked work, added and changed in Debian's Chromium."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from okr_core.domain import Level, TrackerKind
from okr_core.models import KeyResult, Objective
from tests.simtracker import SimTracker
from tests.sync.sync_world import SyncWorld
from tests.ui_panel.conftest import scalar
from tests.ui_panel.live_server import screenshot
from tests.ui_panel.test_ui_browser import live, page  # noqa: F401 (fixtures)
from tests.ui_panel.workspace_browser import error_beside, fits_width, kept

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def _company_objective(db) -> tuple[int, str]:
    row = db.execute(select(Objective.id, Objective.title)
                     .where(Objective.level == Level.COMPANY).order_by(Objective.id)).first()
    db.commit()
    return row.id, row.title


def test_add_objective_refuses_bad_input_then_aligns_to_a_company_objective(page, live, db):
    parent_id, parent_title = _company_objective(db)
    page.get_by_role("link", name="Add Objective").click()
    page.get_by_role("button", name="Save and publish").click()
    error_beside(page, "title", "Fill this in.")
    page.get_by_label("Objective", exact=True).fill("<script>x</script>Win")
    page.get_by_label("Description").fill("x" * 20_001)
    page.get_by_role("button", name="Save and publish").click()
    error_beside(page, "title", "HTML tags")
    error_beside(page, "description", "20,000 characters or fewer")
    kept(page, "title", "<script>x</script>Win")
    page.get_by_label("Objective", exact=True).fill("T" * 501)
    page.get_by_label("Description").fill("")
    page.get_by_role("button", name="Save and publish").click()
    error_beside(page, "title", "500 characters or fewer")
    page.wait_for_load_state("load")   # htmx (deferred) binds the Level select by then
    page.get_by_label("Level").select_option("company")
    expect(page.locator("#f-parent_id option")).to_have_count(1)  # a company OKR supports none
    page.get_by_label("Level").select_option("team")
    expect(page.locator("#f-parent_id option", has_text=parent_title)).to_have_count(1)
    screenshot(page, "objective-form-errors")
    page.get_by_label("Objective", exact=True).fill("Make onboarding effortless")
    page.get_by_label("Supports (parent objective)").select_option(str(parent_id))
    page.get_by_label("Team").select_option(label="Platform")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("Objective added. Next: Add Key Result.")).to_be_visible()
    expect(page.get_by_role("link", name=parent_title)).to_be_visible()
    screenshot(page, "objective-page-new")


def test_add_key_result_warns_as_you_type_and_refuses_bad_numbers(page, live, db):
    objective_id, _ = _company_objective(db)
    page.goto(f"{live}/objectives/{objective_id}")
    page.get_by_role("link", name="Add Key Result").click()
    # Until the load event htmx may not have bound the form yet (its script is deferred), and
    # typing then sends no request: under load the warnings never came.
    page.wait_for_url(f"{live}/objectives/{objective_id}/key-results/new", wait_until="load")
    page.get_by_label("Key result (metric)").fill("Launch the new onboarding")
    expect(page.locator("#kr-warnings")).to_contain_text("reads as a task")
    expect(page.locator("#kr-warnings")).to_contain_text("no numeric target")
    page.get_by_label("Starting value").fill("abc")
    page.get_by_label("Weight").fill("0")
    page.get_by_role("button", name="Add Key Result").click()
    error_beside(page, "start_value", "Enter a number, such as 12 or 4.5.")
    error_beside(page, "weight", "Enter a number above 0.")
    kept(page, "start_value", "abc")
    page.get_by_label("Weight").fill("101")
    page.get_by_label("Unit").fill("u" * 41)
    page.get_by_role("button", name="Add Key Result").click()
    error_beside(page, "weight", "Enter 100 or less.")
    error_beside(page, "unit", "40 characters or fewer")
    screenshot(page, "key-result-form-errors")
    page.get_by_label("Key result (metric)").fill("Reduce signup time from 300 to 60 seconds")
    expect(page.locator("#kr-warnings")).not_to_contain_text("reads as a task")
    page.get_by_label("Starting value").fill("300")
    page.get_by_label("Target value").fill("60")
    page.get_by_label("Unit").fill("s")
    page.get_by_label("Weight").fill("1")
    page.get_by_role("button", name="Add Key Result").click()
    expect(page.get_by_text("Key result added.")).to_be_visible()
    kr_id = scalar(db, select(KeyResult.id).where(KeyResult.title.like("Reduce signup%")))
    page.locator(f"#kr-{kr_id}").get_by_role("link", name="Update Progress").click()
    page.get_by_label("Current value").fill("180")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".kr-detail .kr-progress")).to_have_text("50%")


def test_deleting_an_objective_asks_first(page, live, db):
    objective_id, title = _company_objective(db)
    page.goto(f"{live}/objectives/{objective_id}")
    page.get_by_role("link", name="Delete").click()
    expect(page.locator("h1")).to_contain_text("Delete")
    screenshot(page, "objective-delete-confirm")
    page.get_by_role("link", name="Keep it").click()
    expect(page.locator("h1")).to_have_text(title)
    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete objective").click()
    expect(page.get_by_text("and its key results are deleted")).to_be_visible()
    assert scalar(db, select(Objective.id).where(Objective.id == objective_id)) is None


@pytest.fixture
def sim():
    with SimTracker.start(issues=120, page_size=50) as tracker:
        yield tracker


def test_link_work_previews_lists_and_unlinks_tracker_issues(page, live, app, db, sim):
    SyncWorld(app).connection(TrackerKind.JIRA, sim.url)
    kr_id = scalar(db, select(KeyResult.id).order_by(KeyResult.id))
    children = [sim.issue(k) for k in sim.keys() if sim.issue(k).epic_key == "SIM-1"]
    # "Won't Do" sits in Jira's done category, but its resolution makes it canceled, not done.
    done = sum(1 for issue in children if issue.state == "done")
    page.goto(f"{live}/key-results/{kr_id}")
    page.get_by_role("button", name="Link work").click()
    error_beside(page, "ref", "Fill this in.")
    page.get_by_label("Key, id, name or query").fill("k" * 4001)
    page.get_by_role("button", name="Link work").click()
    error_beside(page, "ref", "4,000 characters or fewer")
    page.get_by_label("Key, id, name or query").fill("")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#link-preview")).to_contain_text("Type a key, id, name or query")
    page.get_by_label("Key, id, name or query").fill("DEMO-1")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#link-preview")).to_contain_text("credentials are incomplete")
    page.get_by_label("Tracker connection").select_option(label="jira sim (Jira)")
    page.get_by_label("What to link").select_option("jql")
    page.get_by_label("Key, id, name or query").fill("summary ~ broken(")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#link-preview")).to_contain_text("The tracker did not accept this")
    page.get_by_label("What to link").select_option("epic")
    page.get_by_label("Key, id, name or query").fill("SIM-1")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#link-preview")).to_contain_text(
        f"Matches {len(children)} issues, {done} done.")
    screenshot(page, "link-work-preview")
    page.get_by_role("button", name="Link work").click()
    expect(page.get_by_text("Work linked.")).to_be_visible()
    expect(page.locator("tr.linked-item")).to_have_count(len(children), timeout=20_000)
    first = children[0]
    tracker_link = page.get_by_role("link", name=f"{first.key} (opens the tracker)", exact=True)
    expect(tracker_link).to_have_attribute("href", f"{sim.url}/browse/{first.key}")
    expect(page.locator("tr.linked-item", has=tracker_link)).to_contain_text(first.title)
    screenshot(page, "link-work-listed")
    page.get_by_role("button", name="Unlink").click()
    expect(page.get_by_text("Work unlinked")).to_be_visible()
    expect(page.locator("tr.linked-item")).to_have_count(0)


def test_alignment_map_collapses_filters_and_calls_out_orphans(page, live, db, demo):
    db.add(Objective(cycle_id=demo, title="Orphaned team goal", level=Level.TEAM))
    db.commit()
    page.get_by_role("link", name="Alignment", exact=True).click()
    expect(page.locator(".orphans")).to_contain_text("Orphaned team goal")
    branch = page.locator("details.branch").first
    child = branch.locator("ul.align-tree.nested > li").first
    expect(child).to_be_visible()
    branch.locator("summary").first.click()
    expect(child).to_be_hidden()
    screenshot(page, "alignment")
    page.get_by_label("Status").select_option("off_track")
    page.get_by_role("button", name="Filter").click()
    shown = page.locator(".align-node:not(.context-only)")
    assert shown.count() > 0
    for index in range(shown.count()):
        expect(shown.nth(index).locator(".status").first).to_have_text("Off track")


def test_a_large_tree_shows_its_top_level_and_loads_branches_on_demand(page, live, app, db):
    app.config["DASHBOARD_EXPANDED_OBJECTIVES"] = 3  # the demo's 12 count as a large tree here
    page.goto(f"{live}/")
    assert page.locator("li.kr").count() == 0
    toggle = page.locator(".branch-toggle a").first
    expect(toggle).to_contain_text("Show")
    url = page.url
    toggle.click()
    expect(page.locator(".branch-open li.kr").first).to_be_visible()
    assert page.url == url  # swapped in place, not a new page
    screenshot(page, "company-collapsed-branch-open")


def test_my_okrs_of_many_objectives_collapse_like_the_company_view(page, live, app, db):
    app.config["DASHBOARD_EXPANDED_OBJECTIVES"] = 0  # the admin's demo objectives count as many
    page.goto(f"{live}/mine")
    assert page.locator(".tree li.kr").count() == 0
    toggle = page.locator(".branch-toggle a").first
    expect(toggle).to_contain_text("Show")
    toggle.click()
    expect(page.locator(".branch-open li.kr").first).to_be_visible()
    screenshot(page, "my-okrs-collapsed-branch-open-wide")
    page.set_viewport_size({"width": 360, "height": 800})
    fits_width(page, "my-okrs-collapsed-branch-open-360")


def test_objectives_are_edited_and_given_key_results_in_place_from_the_tree(page, live, db):
    objective_id, title = _company_objective(db)
    item = page.locator(f"#objective-{objective_id}")
    item.locator(".kr-actions").first.get_by_role("link", name="Edit").click()
    form = item.locator("form.objective-form")
    expect(form).to_be_visible()
    assert page.url.rstrip("/") == live  # the form opened inside the tree
    screenshot(page, "tree-edit-in-place")
    form.get_by_label("Objective", exact=True).fill(title + " for good")
    form.get_by_role("button", name="Save objective").click()
    expect(page.locator("h1")).to_have_text(title + " for good")
    page.get_by_role("link", name="Company", exact=True).click()
    item.locator(".kr-actions").first.get_by_role("link", name="Add Key Result").click()
    expect(item.locator("form.kr-form")).to_be_visible()
