"""PostgreSQL going away: pages answer 503 with a styled page in the app's layout, in plain
words, without reading the store (not even who is signed in) and without internal details."""
from __future__ import annotations

import logging

import pytest

from okr_core.domain import Role
from tests.conftest import Actors
from tests.ui_panel.conftest import csrf_token, sign_in
from tests.okrsync.admin.web import PASSWORD, make_user
from tests.ui_panel.live_server import screenshot, serve_url, signed_in_page
from tests.ui_panel.workspace_browser import NARROW, fits_width

HEADING = "okrsync is briefly unavailable"
INTERNALS = ("OperationalError", "psycopg", "sqlalchemy", "Traceback", "connection", "127.0.0.1",
             "server closed", "Internal Server Error")
WIDE = {"width": 1280, "height": 800}


def assert_store_down_page(response, proxy) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:300]
    assert response.mimetype == "text/html" and response.headers["Retry-After"] == "5"
    assert 'class="topbar"' in html and "okrsync.css" in html and 'class="card narrow error-page"' in html
    assert HEADING in html and "reload the page" in html
    assert "Sign out" not in html   # nobody is looked up while the store is away
    for detail in (*INTERNALS, str(proxy.port)):
        assert detail not in html, detail
    return html


def test_pages_answer_a_styled_503_while_the_store_is_down_and_recover_after(proxied_app, caplog):
    app, proxy = proxied_app
    user_id, _ = Actors(app).user(Role.ADMIN)
    client = sign_in(app.test_client(), user_id)
    assert client.get("/").status_code == 200
    token = csrf_token(client, "/cycles")
    proxy.cut()
    with caplog.at_level(logging.ERROR, logger="okrsync.pages"):
        for path in ("/", "/admin/", "/admin/people", "/cycles", "/sync"):
            html = assert_store_down_page(client.get(path), proxy)
            assert f'<a href="{path}?">Try again</a>' in html, path
        saving = client.post("/cycles/new", data={"csrf_token": token, "name": "Q1 2027"})
        assert "Try again</a>" not in assert_store_down_page(saving, proxy)   # no re-sending a form by link
    assert [r.message for r in caplog.records].count("pages.store-unavailable") == 6
    stranger = app.test_client()
    assert_store_down_page(stranger.post("/login", data={
        "csrf_token": csrf_token(stranger, "/login"), "email": "someone@example.com", "password": "a password"}), proxy)
    proxy.start()
    assert client.get("/admin/people").status_code == 200


@pytest.mark.browser
@pytest.mark.slow
def test_the_store_down_page_reads_well_at_phone_and_wide_widths(proxied_app, browser):
    app, proxy = proxied_app
    email = make_user(app, Role.ADMIN)
    with serve_url(app) as live:
        context, page = signed_in_page(browser, live, email, PASSWORD, NARROW)
        try:
            proxy.cut()
            assert page.goto(f"{live}/cycles").status == 503
            assert page.get_by_role("heading", name=HEADING).is_visible()
            card = page.locator(".error-page")
            assert card.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
            fits_width(page, "store-down-360")
            page.set_viewport_size(WIDE)
            screenshot(page, "store-down-1280")
            page.get_by_role("link", name="Try again").click()
            assert page.get_by_role("heading", name=HEADING).is_visible()
        finally:
            context.close()
