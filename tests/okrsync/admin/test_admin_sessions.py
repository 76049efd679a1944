"""Browser sessions: a strict cookie, 12 hours at most, and ended server-side for every device."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

import ui_panel.signin as web_auth
from okr_core.accounts import hash_password
from okr_core.domain import Role
from okr_core.models import User
from okr_core.store import session_scope
from tests.okrsync.admin.web import PASSWORD, make_user, post_form, sign_in


def _cookie_header(response) -> str:
    return next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))


def _signed_in_twice(app, role: Role = Role.MEMBER):
    """Two clients with the same session cookie: one browser, and a copy of its cookie."""
    email = make_user(app, role)
    first = app.test_client()
    assert sign_in(first, email).status_code == 302
    copy = app.test_client()
    copy.set_cookie("session", first.get_cookie("session").value)
    assert copy.get("/").status_code == 200
    return email, first, copy


def _change_user(app, email: str, **values) -> None:
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        user = session.scalar(select(User).where(User.email == email))
        for name, value in values.items():
            setattr(user, name, value)


def test_the_session_cookie_is_httponly_samesite_lax_and_lives_12_hours(app, client):
    cookie = _cookie_header(sign_in(client, make_user(app, Role.MEMBER)))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    expires = datetime.strptime(cookie.split("Expires=")[1].split(";")[0],
                                "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)
    hours = (expires - datetime.now(timezone.utc)).total_seconds() / 3600
    assert 11.9 < hours <= 12.0


def test_the_session_cookie_is_secure_in_production(settings):
    from okrsync.app import create_app

    production = create_app({"TESTING": True}, settings=settings.with_overrides(
        environment="production"))
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_signing_out_ends_every_session_of_that_user(app):
    _, first, copy = _signed_in_twice(app)
    assert post_form(first, "/", "/logout").status_code == 302
    assert copy.get("/").status_code == 302  # the copied cookie no longer signs anyone in


def test_a_new_password_ends_every_session(app):
    email, first, copy = _signed_in_twice(app)
    _change_user(app, email, password_hash=hash_password("another long password"))
    assert first.get("/").status_code == 302 and copy.get("/").status_code == 302


def test_deactivation_ends_sessions_even_after_reactivation(app, admin_client):
    email, first, _ = _signed_in_twice(app)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        user_id = session.scalar(select(User.id).where(User.email == email))
    post_form(admin_client, "/admin/people", f"/admin/users/{user_id}/active/0")
    post_form(admin_client, "/admin/people", f"/admin/users/{user_id}/active/1")
    assert first.get("/").status_code == 302
    assert sign_in(first, email).status_code == 302 and first.get("/").status_code == 200


@pytest.mark.parametrize("target", [
    "/%09/evil.example", "/%0a/evil.example", "%20//evil.example", "//evil.example",
    "/%5Cevil.example", "https://evil.example/", "%0d%0a//x", "javascript:alert(1)",
    "/\x00/evil.example", "%09https://evil.example",
])
def test_sign_in_never_redirects_off_site(app, client, target):
    email = make_user(app, Role.MEMBER)
    client.get("/login")
    response = sign_in_to(client, email, target)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "/dashboard/")


@pytest.mark.parametrize("target,expected", [("/admin/people?x=1", "/admin/people?x=1"),
                                             ("/dash%09board/", "/dashboard/"),
                                             ("%0d%0a/x%0d%0a", "/x")])
def test_sign_in_follows_a_path_on_this_site(app, client, target, expected):
    response = sign_in_to(client, make_user(app, Role.MEMBER), target)
    assert response.headers["Location"] == expected


def sign_in_to(client, email: str, next_target: str):
    from tests.okrsync.admin.web import csrf_from

    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(f"/login?next={next_target}", data={
        "email": email, "password": PASSWORD, "csrf_token": token})


def test_an_account_without_password_costs_a_full_hash_check(app, client, monkeypatch):
    """Timing must not tell which accounts have no password: each attempt runs argon2."""
    checked = []
    real = web_auth.verify_password
    monkeypatch.setattr(web_auth, "verify_password",
                        lambda stored, password: checked.append(stored) or real(stored, password))
    email = make_user(app, Role.MEMBER)
    _change_user(app, email, password_hash=None)
    assert sign_in(client, email, PASSWORD).status_code == 401
    assert checked and checked[-1] and checked[-1].startswith("$argon2")
