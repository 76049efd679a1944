"""Security headers on every page: CSP everywhere, no-store on private pages, HSTS behind https,
framing refused outside the panel views."""
from __future__ import annotations

import re

import pytest

from okr_core.domain import Role

PRIVATE_PREFIXES = ("/admin", "/login", "/api/")
FRAMEABLE_PREFIXES = ("/panel/issue/", "/panel/team/")


def concrete_get_paths(app) -> list[str]:
    """Every GET rule of the app with its variables filled in (ids need not exist)."""
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if rule.endpoint == "admin.static":
            paths.add("/admin/static/admin.css")
            continue
        if rule.endpoint == "ui_static":
            paths.add("/static/okrsync.css")
            continue
        path = re.sub(r"<int:[^>]+>", "1", rule.rule)
        path = re.sub(r"<path:[^>]+>", "ABC-1", path)
        paths.add(re.sub(r"<[^>]+>", "x", path))
    return sorted(paths)


@pytest.fixture
def every_response(app, signed_in, admin):
    """(path, response) for every GET route, fetched signed in as an admin (API: bearer)."""
    browser = signed_in(Role.ADMIN)
    created = browser.post("/api/v1/connections", headers=admin, json={
        "tracker": "jira", "name": "J", "base_url": "https://93.184.216.34",
        "credentials": {"email": "bot@acme.example", "api_token": "t0ken-for-headers"}})
    assert created.json["id"] == 1  # so the id-bearing admin pages answer 200
    return [(path, browser.get(path, headers=admin if path.startswith("/api/") else {}))
            for path in concrete_get_paths(app)]


def test_the_app_serves_admin_login_dashboard_and_api_pages(app):
    paths = concrete_get_paths(app)
    for expected in ("/admin/", "/login", "/api/v1/connections", "/api/openapi.json"):
        assert expected in paths


def test_every_response_carries_a_content_security_policy(every_response):
    for path, response in every_response:
        csp = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "object-src 'none'" in csp, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_admin_login_and_api_responses_are_never_stored(every_response):
    private = [(p, r) for p, r in every_response if p.startswith(PRIVATE_PREFIXES)]
    assert len(private) > 10
    for path, response in private:
        assert response.headers.get("Cache-Control") == "no-store", path


def test_every_page_shown_to_someone_signed_in_is_never_stored(every_response):
    pages = [(p, r) for p, r in every_response if r.status_code == 200
             and r.mimetype == "text/html"]
    assert {"/", "/mine", "/sync"} <= {p for p, _ in pages}
    for path, response in pages:
        assert response.headers.get("Cache-Control") == "no-store", path


def test_only_panel_views_may_be_framed(every_response):
    for path, response in every_response:
        csp = response.headers["Content-Security-Policy"]
        if path.startswith(FRAMEABLE_PREFIXES):
            assert "frame-ancestors 'none'" not in csp, path
        else:
            assert "frame-ancestors 'none'" in csp, path
            assert response.headers.get("X-Frame-Options") == "DENY", path


def test_hsts_is_sent_behind_https_and_not_over_plain_http(admin_client):
    assert "Strict-Transport-Security" not in admin_client.get("/admin/").headers
    proxied = admin_client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    direct = admin_client.get("/login", base_url="https://okrsync.example")
    assert "Strict-Transport-Security" in direct.headers


def test_error_pages_carry_the_headers_too(admin_client):
    response = admin_client.get("/admin/connections/424242")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
