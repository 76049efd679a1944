"""A person's Notifications page: signed in only, choices saved and shown back, a form without
its CSRF token refused in words, and choosing email again undoes an unsubscribe."""
from __future__ import annotations

from okr_core.domain import Role
from okr_core.models import NotificationPreference, User
from okr_core.store import session_scope
from tests.okrsync.admin.web import make_user, post_form, sign_in


def user_id_of(app, email: str) -> int:
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        return session.query(User).filter_by(email=email).one().id


def preference(app, user_id: int):
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        row = session.get(NotificationPreference, user_id)
        session.expunge_all()
        return row


def test_strangers_are_sent_to_sign_in(client):
    answer = client.get("/notifications")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_the_defaults_show_until_a_person_chooses_and_then_their_choice(app, client):
    email = make_user(app, Role.MEMBER)
    sign_in(client, email)
    page = client.get("/notifications").text
    assert 'checked id="email"' in page and 'checked id="slack"' not in page
    answer = post_form(client, "/notifications", slack="y", reminders="y")
    assert answer.status_code == 200 and "Your notification settings are saved." in answer.text
    row = preference(app, user_id_of(app, email))
    assert (row.email, row.slack, row.reminders, row.digests) == (False, True, True, False)
    assert 'checked id="slack"' in client.get("/notifications").text


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(app, client):
    email = make_user(app, Role.MEMBER)
    sign_in(client, email)
    answer = client.post("/notifications", data={"slack": "y"})
    assert answer.status_code == 400 and "This form has expired" in answer.text
    assert preference(app, user_id_of(app, email)) is None


def test_ticking_email_again_undoes_an_unsubscribe(app, client):
    from sync.notify.links import unsubscribe_token

    email = make_user(app, Role.MEMBER)
    user_id = user_id_of(app, email)
    token = unsubscribe_token(app.config["SETTINGS"].secret_key, user_id)
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    sign_in(client, email)
    assert "You unsubscribed from emails." in client.get("/notifications").text
    post_form(client, "/notifications", email="y", reminders="y", digests="y")
    row = preference(app, user_id)
    assert row.email is True and row.unsubscribed_at is None
