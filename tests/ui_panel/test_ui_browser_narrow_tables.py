"""At 360 px, tables scroll sideways inside their card and words stay whole (no "Valu e", no
e-mail addresses broken a few letters a line); the page itself never scrolls sideways."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from okr_core.accounts import hash_password
from okr_core.models import KeyResult, User
from okrsync.demo import DEMO_ADMIN_EMAIL
from tests.ui_panel.live_server import serve, signed_in_page
from tests.ui_panel.workspace_browser import fits_width

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
PASSWORD = "correct horse battery"
PHONE = {"width": 360, "height": 800}
# How many lines the text of the first element matching a selector takes.
LINES = """selector => {
  const range = document.createRange();
  range.selectNodeContents(document.querySelector(selector));
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}"""


@pytest.fixture
def phone(browser, app, db, demo):
    admin = db.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL))
    admin.password_hash = hash_password(PASSWORD)
    kr_id = db.scalar(select(KeyResult.id).order_by(KeyResult.id))
    db.commit()   # no read left open: SQLite would hold the served app's writes
    with serve(app) as port:
        live = f"http://127.0.0.1:{port}"
        context, page = signed_in_page(browser, live, DEMO_ADMIN_EMAIL, PASSWORD, PHONE)
        yield live, page, kr_id
        context.close()


def test_admin_tables_keep_words_whole_at_phone_width(phone):
    live, page, _ = phone
    page.goto(f"{live}/admin/people")
    fits_width(page, "narrow-admin-people-360")
    assert page.evaluate(LINES, "#users tbody tr td:nth-child(2)") == 1   # the e-mail address
    assert page.evaluate(LINES, "#users thead th:nth-child(1)") == 1
    page.goto(f"{live}/admin/")
    fits_width(page, "narrow-admin-overview-360")
    assert page.evaluate(LINES, "#sync-status thead th:nth-child(1)") == 1   # "Connection"


def test_key_result_facts_keep_their_labels_on_one_line_at_phone_width(phone):
    live, page, kr_id = phone
    page.goto(f"{live}/key-results/{kr_id}")
    fits_width(page, "narrow-key-result-360")
    labels = page.locator(".facts dt").count()
    assert labels >= 3
    for n in range(1, labels + 1):
        assert page.evaluate(LINES, f".facts div:nth-child({n}) dt") == 1, n
