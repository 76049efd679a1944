"""In Chromium at phone width: the mapping settings show the not-done resolutions of a Jira
connection, and an admin can change them."""
from __future__ import annotations

import pytest

from okr_core.domain import Role, TrackerKind
from okr_core.models import Connection
from okr_core.store import session_scope
from tests.okrsync.admin.test_admin_browser import database_url, settings  # noqa: F401 (fixtures)
from tests.okrsync.admin.web import PASSWORD, make_user
from tests.ui_panel.live_server import screenshot, serve_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_admin_edits_the_resolutions_that_do_not_count_as_done_on_a_phone(app, browser):
    from playwright.sync_api import expect

    box = app.extensions["okrsync.secret_box"]
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        row = Connection(tracker=TrackerKind.JIRA, name="Acme Jira", base_url="https://acme.atlassian.example",
                         credentials_encrypted=box.encrypt_json({"email": "e@acme.example", "api_token": "t"}),
                         settings={})
        session.add(row)
        session.flush()
        connection_id = row.id
    email = make_user(app, Role.ADMIN)
    page = browser.new_page()
    page.set_viewport_size({"width": 360, "height": 900})
    with serve_url(app) as base:
        page.goto(f"{base}/admin/connections/{connection_id}/mapping")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        field = page.get_by_label("Resolutions that do not count as done (one a line)")
        expect(field).to_have_value("Won't Do\nWon't Fix\nDuplicate\nCannot Reproduce\nDeclined")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "admin-mapping-resolutions-360")
        field.fill("Won't Do\nObsolete")
        page.click("text=Save mapping")
        expect(page.get_by_role("status")).to_contain_text("Mapping saved.")
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        assert session.get(Connection, connection_id).settings["not_done_resolutions"] == ["Won't Do", "Obsolete"]
