"""The weekly rhythm in Debian's Chromium: a week of the simulated tracker is drafted into check-ins;
the owner approves one on My OKRs in one click and one on the KR page after an edit (a bad value
first), sees them posted to the simulated Linear and Jira, undoes one, and nothing is posted for
the draft left unapproved."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sync.checkins.drafts import draft_check_ins
from tests.simtracker import SimTracker
from tests.sync.checkin_world import OWNER_EMAIL, OWNER_PASSWORD, build_week, drafts
from tests.sync.test_checkin_drafts import check_in_posts
from tests.ui_panel.live_server import screenshot, serve, signed_in_page
from tests.ui_panel.workspace_browser import NARROW, error_beside, fits_width

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


@pytest.fixture
def sim():
    with SimTracker.start(issues=300, page_size=50, linear_page_size=50) as tracker:
        yield tracker


def signed_in(browser, live: str, viewport: dict):
    return signed_in_page(browser, live, OWNER_EMAIL, OWNER_PASSWORD, viewport)


def test_a_week_drafted_approved_posted_and_undone_in_the_browser(app, sim, browser):  # noqa: F811
    week = build_week(app, sim)
    with app.app_context():
        assert draft_check_ins(force=True).created == 3
    found = drafts(app)
    queue = app.extensions["okrsync.queue"]
    with serve(app) as port:
        live = f"http://127.0.0.1:{port}"
        context, page = signed_in(browser, live, {"width": 1280, "height": 900})
        page.goto(f"{live}/mine")
        owe = page.locator("section.what-i-owe")
        expect(owe).to_contain_text("3 drafted check-ins waiting for your approval")
        linear_card = page.locator(f"#draft-{found[week.linear_kr].id}")
        expect(linear_card).to_contain_text("2 issues")
        expect(linear_card.locator("ul.moved a")).to_have_count(2)
        expect(linear_card.locator("ul.new-blockers")).to_contain_text("payments team")
        expect(page.locator(f"#draft-{found[week.manual_kr].id}")).to_contain_text("Needs your input")
        screenshot(page, "drafts-my-okrs-wide")

        linear_card.get_by_role("button", name="Approve check-in").click()     # one click
        expect(page.locator("p.flash.success")).to_contain_text("approved and sent to the tracker")
        expect(page.locator(f"#draft-{found[week.linear_kr].id}")).to_have_attribute("data-state", "approved")
        queue.drain(timeout=60)
        updates, comments = check_in_posts(sim)
        assert len(updates) == 1 and comments == [] and "Refund work done" in updates[0]["body"]

        # The KR page: edit before approving; a confidence of 11 is refused beside its field.
        page.goto(f"{live}/key-results/{week.jira_kr}")
        card = page.locator(f"#draft-{found[week.jira_kr].id}")
        card.get_by_text("Review and edit").click()
        prefix = f"d{found[week.jira_kr].id}-"
        card.locator(f"#f-{prefix}confidence").fill("11")
        card.get_by_role("button", name="Approve check-in").click()
        error_beside(page, f"{prefix}confidence", "Enter 0 to 10.")
        screenshot(page, "drafts-kr-page-refused")
        page.locator(f"#f-{prefix}confidence").fill("4")
        page.locator(f"#f-{prefix}status").select_option("off_track")
        page.get_by_role("button", name="Approve check-in").click()
        expect(page.locator("p.flash.success")).to_contain_text("Vendor work done")
        queue.drain(timeout=60)
        updates, comments = check_in_posts(sim)
        assert len(comments) == 1 and "Confidence: 4 of 10" in comments[0].body
        assert "Status: off track" in comments[0].body

        # Undo the Jira one from My OKRs: the comment is deleted, the draft waits again.
        page.goto(f"{live}/mine")
        page.locator(f"#draft-{found[week.jira_kr].id}").get_by_role("button", name="Undo").click()
        expect(page.locator("p.flash.success")).to_contain_text("undone")
        expect(page.locator(f"#draft-{found[week.jira_kr].id}")).to_have_attribute("data-state", "waiting")
        queue.drain(timeout=60)
        updates, comments = check_in_posts(sim)
        assert comments == [] and len(updates) == 1
        # The manual KR's draft was never approved: nothing of it was posted anywhere.
        assert all("Customer NPS" not in u["body"] for u in sim.linear_entities("projectUpdate"))
        assert not [c for i in sim.store.issues.values() for c in i.comments if "Customer NPS" in c.body]
        screenshot(page, "drafts-my-okrs-after-undo-wide")
        context.close()

        context, page = signed_in(browser, live, NARROW)
        page.goto(f"{live}/mine")
        expect(page.locator("section.what-i-owe")).to_be_visible()
        fits_width(page, "drafts-my-okrs-360")
        context.close()
