"""Tables that stack on phones (class "stack") name each cell's column in its data-label, the
very words of the column's header, so a stacked row reads as the table does."""
from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import select

from okr_core.models import Team, User
from okrsync.demo import DEMO_ADMIN_EMAIL
from tests.ui_panel.conftest import csrf_token, scalar

PAGES = ("/admin/", "/admin/people", "/admin/tokens", "/admin/audit?sign_ins=1",
         "/admin/notifications", "/cycles")


class StackedTables(HTMLParser):
    """Each stacked table of a page as (headers, [(column, data-label) of every body cell])."""

    def __init__(self):
        super().__init__()
        self.tables: list[tuple[list[str], list[tuple[int, str | None]]]] = []
        self._table = None
        self._part = None
        self._column = 0
        self._header = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "stack" in (attrs.get("class") or "").split():
            self._table = ([], [])
        elif self._table is None:
            return
        elif tag in ("thead", "tbody"):
            self._part = tag
        elif tag == "tr":
            self._column = 0
        elif tag == "th" and self._part == "thead":
            self._header = ""
        elif tag in ("th", "td") and self._part == "tbody":
            if tag == "td":
                self._table[1].append((self._column, attrs.get("data-label")))
            self._column += 1

    def handle_data(self, data):
        if self._header is not None:
            self._header += data

    def handle_endtag(self, tag):
        if self._table is None:
            return
        if tag == "th" and self._header is not None:
            self._table[0].append(" ".join(self._header.split()))
            self._header = None
        elif tag == "table":
            self.tables.append(self._table)
            self._table = None


def stacked_tables(html: str):
    parser = StackedTables()
    parser.feed(html)
    return parser.tables


def test_every_cell_of_a_stacked_table_is_labelled_with_its_column_header(admin_client, db):
    team_id = scalar(db, select(Team.id).order_by(Team.id))
    saved = admin_client.post("/admin/notifications/slack/team", data={
        "csrf_token": csrf_token(admin_client, "/admin/notifications"), "team_id": str(team_id),
        "channel": "#okrs"})
    assert "Slack settings saved." in saved.text
    admin_id = scalar(db, select(User.id).where(User.email == DEMO_ADMIN_EMAIL))
    token = admin_client.post("/admin/tokens", data={
        "csrf_token": csrf_token(admin_client, "/admin/tokens"), "user_id": str(admin_id),
        "name": "Quarterly export"})
    assert token.status_code == 201 and "Quarterly export" in token.text
    seen = 0
    for path in PAGES:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        tables = stacked_tables(response.text)
        assert tables, f"{path} has no stacked table"
        for headers, cells in tables:
            assert cells, (path, headers)
            for column, label in cells:
                assert label == headers[column], (path, headers, column, label)
                seen += 1
    assert seen > 50   # the demo's users, teams, cycles and the Slack row all took part
