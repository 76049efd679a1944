"""Who reaches the admin pages, CSRF on every form, sign-in failures and the rate limit."""
from __future__ import annotations

import pytest

from ui_panel.login_limit import MAX_FAILURES
from okr_core.domain import Role
from tests.okrsync.admin.web import PASSWORD, csrf_from, make_user, post_form, sign_in

ADMIN_PAGES = ["/admin/", "/admin/connections/new", "/admin/llm", "/admin/people",
               "/admin/tokens", "/admin/audit"]
ADMIN_POSTS = ["/admin/connections/new", "/admin/llm", "/admin/llm/test", "/admin/allowlist",
               "/admin/users", "/admin/teams", "/admin/tokens"]


@pytest.mark.parametrize("role", [Role.LEAD, Role.MEMBER])
def test_a_lead_or_member_gets_403_on_every_admin_page(signed_in, role):
    client = signed_in(role)
    for page in ADMIN_PAGES:
        assert client.get(page).status_code == 403, page


@pytest.mark.parametrize("role", [Role.LEAD, Role.MEMBER])
def test_a_lead_or_member_gets_403_posting_admin_forms(signed_in, role):
    client = signed_in(role)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for action in ADMIN_POSTS:
        assert client.post(action, data={"csrf_token": token, "name": "x"}).status_code == 403


def test_strangers_are_sent_to_the_login_page(client):
    response = client.get("/admin/people")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_an_admin_reaches_every_admin_page(admin_client):
    for page in ADMIN_PAGES:
        assert admin_client.get(page).status_code == 200, page


def test_admin_forms_without_a_csrf_token_are_refused(admin_client):
    for action in ADMIN_POSTS:
        response = admin_client.post(action, data={"name": "x", "model": "m"})
        assert response.status_code == 400, action
        assert b"CSRF" in response.data


def test_admin_forms_with_a_wrong_csrf_token_are_refused(admin_client):
    for action in ADMIN_POSTS:
        response = admin_client.post(action, data={"csrf_token": "forged.token.value"})
        assert response.status_code == 400, action


def test_login_without_or_with_a_wrong_csrf_token_is_refused(app, client):
    email = make_user(app, Role.ADMIN)
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 400
    wrong = client.post("/login", data={"email": email, "password": PASSWORD,
                                        "csrf_token": "nope"})
    assert wrong.status_code == 400
    assert client.get("/admin/").status_code == 302  # still signed out


@pytest.mark.parametrize("fields, status", [
    ({"email": "", "password": PASSWORD}, 400),
    ({"email": "not-an-email", "password": PASSWORD}, 400),
    ({"email": "someone@test.example", "password": ""}, 400),
    ({"email": "someone@test.example", "password": "wrong"}, 401),
])
def test_login_form_failures_answer_with_the_form_again(client, fields, status):
    response = post_form(client, "/login", **fields)
    assert response.status_code == status
    assert b"Sign in to okrsync" in response.data


def test_the_sixth_failed_login_within_15_minutes_is_429_even_with_the_right_password(app,
                                                                                      client):
    email = make_user(app, Role.MEMBER)
    for _ in range(MAX_FAILURES):
        assert sign_in(client, email, "wrong password").status_code == 401
    response = sign_in(client, email, PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.data
    assert int(response.headers["Retry-After"]) == 15 * 60


def test_the_login_limit_is_shared_by_every_process_through_the_database(app, settings):
    """A second app on the same store (another gunicorn worker) sees the same failures."""
    from okrsync.app import create_app

    email = make_user(app, Role.MEMBER)
    for _ in range(MAX_FAILURES):
        sign_in(app.test_client(), email, "wrong password")
    other = create_app({"TESTING": True, "ANALYSIS_DEBOUNCE_SECONDS": 0}, settings=settings)
    try:
        assert sign_in(other.test_client(), email, PASSWORD).status_code == 429
    finally:
        other.extensions["okrsync.queue"].shutdown()
        other.extensions["okrsync.engine"].dispose()


def test_a_success_before_the_limit_resets_the_count(app, client):
    email = make_user(app, Role.MEMBER)
    for _ in range(MAX_FAILURES - 1):
        sign_in(client, email, "wrong password")
    assert sign_in(client, email, PASSWORD).status_code == 302
    for _ in range(MAX_FAILURES - 1):
        assert sign_in(client, email, "wrong password").status_code == 401
    assert sign_in(client, email, PASSWORD).status_code == 302


def test_the_limit_is_per_email_so_other_accounts_still_sign_in(app, client):
    victim, other = make_user(app, Role.MEMBER), make_user(app, Role.MEMBER)
    for _ in range(MAX_FAILURES):
        sign_in(client, victim, "wrong password")
    assert sign_in(client, other, PASSWORD).status_code == 302


def test_logout_needs_csrf_and_ends_the_session(admin_client):
    assert admin_client.post("/logout").status_code == 400
    response = post_form(admin_client, "/admin/", "/logout")
    assert response.status_code == 302
    assert admin_client.get("/admin/").status_code == 302


def test_sign_ins_are_audited_but_shown_only_on_request(app, client, admin_client):
    email = make_user(app, Role.MEMBER)
    sign_in(client, email, "wrong password")
    assert f"{email}|" not in admin_client.get("/admin/audit").get_data(as_text=True)
    page = admin_client.get("/admin/audit?sign_ins=1").get_data(as_text=True)
    assert "Sign-in refused" in page and f"{email} from " in page
    assert "login.failed" not in page and f"{email}|" not in page
