"""At 360 px, words stay whole (no "Valu e", no label broken a letter a line) and the page itself
never scrolls sideways. Admin tables: test_ui_browser_admin_tables.py."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from okr_core.accounts import hash_password
from okr_core.models import KeyResult, User
from okrsync.demo import DEMO_ADMIN_EMAIL
from tests.ui_panel.live_server import serve, signed_in_page
from tests.ui_panel.workspace_browser import fits_width, text_lines

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
PASSWORD = "correct horse battery"
PHONE = {"width": 360, "height": 800}


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


def test_key_result_facts_keep_their_labels_on_one_line_at_phone_width(phone):
    live, page, kr_id = phone
    page.goto(f"{live}/key-results/{kr_id}")
    fits_width(page, "narrow-key-result-360")
    labels = page.locator(".facts dt").count()
    assert labels >= 3
    for n in range(1, labels + 1):
        assert text_lines(page, f".facts div:nth-child({n}) dt")[0] == 1, n
