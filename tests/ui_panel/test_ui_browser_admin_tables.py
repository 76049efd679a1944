"""Admin tables at 360 px stack into one block per row, each cell under its column's name, so
every button is on screen without scrolling sideways; wide, they stay tables. Screenshots of
both widths are kept under test-artifacts/screenshots/."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from config.audit import record_audit
from okr_core.accounts import hash_password
from okr_core.domain import LinkKind
from okr_core.models import ApiToken, Connection, Delivery, KeyResult, User, WorkLink
from okrsync.demo import DEMO_ADMIN_EMAIL
from tests.ui_panel.live_server import screenshot, serve, signed_in_page
from tests.ui_panel.workspace_browser import NARROW, fits_width, text_lines

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
PASSWORD = "correct horse battery"
WIDE = {"width": 1280, "height": 800}
# Every admin page with a table, and the tables it must show once the fixture's rows exist.
PAGES = {"admin-overview": ("/admin/", ("#sync-status", "#failed-deliveries", "#failed-links")),
         "admin-people": ("/admin/people", ("#users", "#teams")),
         "admin-tokens": ("/admin/tokens", ("#tokens",)),
         "admin-audit": ("/admin/audit?sign_ins=1", ("#audit",))}
WITH_BUTTONS = {"#failed-deliveries", "#failed-links", "#users", "#tokens"}
# Per table: how it is laid out, whether it scrolls inside, each cell's shown label beside its
# column's header (and whether it shows at all), and where each button is.
LAYOUT = """selector => {
  const table = document.querySelector(selector);
  const headers = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  const cells = [...table.querySelectorAll('tbody tr')].flatMap(tr => [...tr.children].map(
      (cell, n) => ({header: headers[n], label: getComputedStyle(cell, '::before').content,
                     empty: cell.childNodes.length === 0, shown: getComputedStyle(cell).display !== 'none'})));
  const buttons = [...table.querySelectorAll('button')].map(b => {
      const box = b.getBoundingClientRect();
      return {text: b.textContent.trim(), left: box.left, right: box.right, width: box.width};
  });
  return {display: getComputedStyle(table).display, rows: table.querySelectorAll('tbody tr').length,
          scrolls: table.scrollWidth > table.clientWidth || table.parentElement.scrollWidth > table.parentElement.clientWidth,
          headerShown: table.querySelector('thead').getBoundingClientRect().height > 2,
          cells, buttons, viewport: window.innerWidth};
}"""


@pytest.fixture
def live(browser, app, db, demo):
    """The demo company served, with a failed delivery, a failed link, a token and audit rows."""
    admin = db.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL))
    admin.password_hash = hash_password(PASSWORD)
    connection_id = db.scalar(select(Connection.id).order_by(Connection.id))
    kr_id = db.scalar(select(KeyResult.id).order_by(KeyResult.id))
    db.add_all([
        Delivery(connection_id=connection_id, dedupe_key="narrow-1", event_type="jira:issue_updated",
                 body=b"{}", state="failed", attempts=4, last_error="TrackerUnavailable: 503"),
        WorkLink(key_result_id=kr_id, connection_id=connection_id, kind=LinkKind.EPIC,
                 ref="PLATFORM-1234", last_error="NotFound: PLATFORM-1234"),
        ApiToken(user_id=admin.id, name="Quarterly reporting export", token_hash="0" * 64,
                 prefix="okr_abcdef")])
    record_audit(db, admin.id, "connection.update", f"connection {connection_id}",
                 {"fields": ["base_url", "webhook_secret", "mirror_namespace"]})
    db.commit()   # no read left open: SQLite would hold the served app's writes
    with serve(app) as port:
        yield f"http://127.0.0.1:{port}"


def tables_on(browser, live: str, viewport: dict):
    """(page, page name, [(table selector, its layout)]) for each admin page, as the admin."""
    context, page = signed_in_page(browser, live, DEMO_ADMIN_EMAIL, PASSWORD, viewport)
    try:
        for name, (path, selectors) in PAGES.items():
            page.goto(f"{live}{path}")
            yield page, name, [(selector, page.evaluate(LAYOUT, selector)) for selector in selectors]
    finally:
        context.close()


def test_admin_tables_stack_into_labelled_rows_with_every_button_on_screen_at_360_px(browser, live):
    for page, name, tables in tables_on(browser, live, NARROW):
        fits_width(page, f"{name}-360")
        for selector, layout in tables:
            where = f"{name} {selector}"
            assert layout["rows"] >= 1 and layout["display"] == "block", where
            assert not layout["scrolls"] and not layout["headerShown"], where
            for cell in layout["cells"]:   # computed content keeps its quotes: "Email"
                assert cell["label"] == f'"{cell["header"]}"', (where, cell)
                assert cell["shown"] is not cell["empty"], (where, cell)   # no label over nothing
            assert layout["buttons"] or selector not in WITH_BUTTONS, where
            assert set(text_lines(page, f"{selector} button")) <= {1}, where   # no "Retr y"
            for button in layout["buttons"]:
                assert button["width"] > 0, (where, button)
                assert 0 <= button["left"] and button["right"] <= layout["viewport"], (where, button)
        if name == "admin-people":   # an e-mail address stays whole on its own line
            assert set(text_lines(page, "#users tbody td:nth-child(2)")) == {1}


def test_admin_tables_stay_tables_with_every_button_on_screen_when_wide(browser, live):
    for page, name, tables in tables_on(browser, live, WIDE):
        screenshot(page, f"{name}-1280")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, name
        for selector, layout in tables:
            where = f"{name} {selector}"
            assert layout["display"] == "table" and layout["headerShown"], where
            assert not layout["scrolls"], where
            assert {cell["label"] for cell in layout["cells"]} == {"none"}, where
            assert layout["buttons"] or selector not in WITH_BUTTONS, where
            assert set(text_lines(page, f"{selector} button")) <= {1}, where   # no "Retr y"
            for button in layout["buttons"]:
                assert 0 <= button["left"] and button["right"] <= layout["viewport"], (where, button)


# Each checkbox of a form and the text field before it: a checkbox starts at the fields' left
# edge, its label beside it on the same line, not centred under it.
CHECKBOXES = """() => [...document.querySelectorAll('form input[type=checkbox]')].map(box => {
  const field = box.closest('.field');
  const label = field.querySelector('label');
  const text = box.closest('form').querySelector('input[type=text], input[type=email], select');
  const b = box.getBoundingClientRect(), l = label.getBoundingClientRect();
  return {id: box.id, left: b.left, fieldsLeft: text ? text.getBoundingClientRect().left : b.left,
          labelAfter: l.left >= b.right, sameLine: Math.abs((l.top + l.bottom) - (b.top + b.bottom)) < l.height};
})"""


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["360", "1280"])
def test_the_add_a_user_form_puts_active_at_the_left_edge_beside_its_label(browser, live, viewport):
    context, page = signed_in_page(browser, live, DEMO_ADMIN_EMAIL, PASSWORD, viewport)
    try:
        page.goto(f"{live}/admin/people")
        boxes = page.evaluate(CHECKBOXES)
        screenshot(page, f"admin-people-form-{viewport['width']}")
    finally:
        context.close()
    active = [box for box in boxes if box["id"] == "active"]
    assert active, boxes
    for box in active:
        assert abs(box["left"] - box["fieldsLeft"]) <= 4, box
        assert box["labelAfter"] and box["sameLine"], box
