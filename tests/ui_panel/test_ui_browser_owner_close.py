"""Closing with the owners, in Debian's Chromium: the admin asks for final values, a KR's
owner enters theirs on My OKRs (refused input shown beside the field, typing kept), the admin
reviews who entered what, previews and closes. Wide and 360 px screenshots are kept."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from okr_core.accounts import hash_password
from okr_core.domain import Measure, Role
from okr_core.models import KeyResult, Objective, User
from tests.ui_panel.live_server import screenshot, signed_in_page
from tests.ui_panel.test_ui_browser import PASSWORD, live, page  # noqa: F401 (fixtures)
from tests.ui_panel.workspace_browser import NARROW, fits_width

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


@pytest.fixture
def owner(db, demo):
    """(email, the KR's title, its id) of a member who owns a manual key result; with a password."""
    user, kr = db.execute(
        select(User, KeyResult).join(KeyResult, KeyResult.owner_id == User.id)
        .join(Objective, Objective.id == KeyResult.objective_id)
        .where(Objective.cycle_id == demo, KeyResult.measure == Measure.MANUAL,
               User.role != Role.ADMIN).order_by(KeyResult.id).limit(1)).one()
    user.password_hash = hash_password(PASSWORD)
    db.commit()
    return user.email, kr.title, kr.id


def test_owners_enter_final_values_then_the_admin_reviews_and_closes(page, live, browser, owner):
    email, kr_title, kr_id = owner
    page.get_by_role("link", name="Cycles", exact=True).click()
    page.get_by_role("link", name="Close cycle").click()
    page.get_by_role("button", name="Ask owners for final values").click()
    expect(page.locator(".closing-state")).to_contain_text("0 of")
    screenshot(page, "owner-close-admin-started")
    page.set_viewport_size(NARROW)
    fits_width(page, "owner-close-admin-started-360")
    page.get_by_role("link", name="All cycles").click()
    expect(page.locator(".cycle-closing")).to_have_text("Closing: final values")
    fits_width(page, "owner-close-cycles-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "owner-close-cycles-wide")
    page.go_back()

    context, mine = signed_in_page(browser, live, email, PASSWORD, NARROW)
    try:
        expect(mine.get_by_role("link", name="enter your final values")).to_be_visible()
        mine.get_by_role("link", name="My OKRs", exact=True).click()
        form = mine.locator("section.owner-close")
        expect(form.get_by_role("heading", name="Final values for")).to_be_visible()
        value = form.get_by_label(f"Final value of {kr_title}")
        note = form.get_by_label(f"Note on {kr_title}")
        value.fill("plenty")
        note.fill("<b>done</b>")
        form.get_by_role("button", name="Save my final values").click()
        expect(mine.locator(f"#err-final-{kr_id}")).to_have_text("Enter a number, such as 12 or 4.5.")
        expect(mine.locator(f"#err-final-note-{kr_id}")).to_contain_text("Write plain text")
        expect(mine.locator(f"#final-{kr_id}")).to_have_value("plenty")
        expect(mine.locator(f"#final-note-{kr_id}")).to_have_value("<b>done</b>")
        assert mine.locator(f"#final-{kr_id}").get_attribute("aria-invalid") == "true"
        fits_width(mine, "owner-close-errors-360")
        assert mine.get_by_role("button", name="Close cycle and record these scores").count() == 0
        mine.locator(f"#final-{kr_id}").fill("42")
        mine.locator(f"#final-note-{kr_id}").fill("Landed in the last week")
        mine.get_by_role("button", name="Save final values").click()
        expect(mine.get_by_text("Final values saved for 1 key result.")).to_be_visible()
        expect(mine.locator(f"#final-{kr_id}")).to_have_value("42")
        fits_width(mine, "owner-close-saved-360")
        mine.get_by_role("link", name="My OKRs", exact=True).click()
        expect(mine.locator("section.owner-close .owner-entry").first).to_contain_text("Entered 42")
        fits_width(mine, "owner-close-my-okrs-360")
        mine.set_viewport_size({"width": 1280, "height": 900})
        screenshot(mine, "owner-close-my-okrs-wide")
    finally:
        context.close()

    page.reload()
    expect(page.locator(".closing-state")).to_contain_text("1 of")
    row = page.locator(f"tr.kr-score[data-kr-id='{kr_id}']")
    expect(row.locator(".owner-entry")).to_contain_text("Landed in the last week")
    screenshot(page, "owner-close-admin-review")
    page.get_by_role("button", name="Preview scores").click()
    expect(page.get_by_text("Preview: these are the scores")).to_be_visible()
    page.get_by_role("button", name="Close cycle and record these scores").click()
    expect(page.get_by_text("is closed and scored")).to_be_visible()
