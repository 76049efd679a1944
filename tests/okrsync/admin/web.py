"""Helpers for driving the web pages like a browser: CSRF tokens, sign-in, form posts."""
from __future__ import annotations

import re
import uuid

from okr_core.domain import Role
from okr_core.models import User
from okr_core.store import session_scope
from tests.passwords import stored_hash

PASSWORD = "correct horse battery staple"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = CSRF_INPUT.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def make_user(app, role: Role, password: str = PASSWORD) -> str:
    """A user with a password; returns the email."""
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@test.example"
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        session.add(User(name=f"{role.value} person", email=email, role=role,
                         password_hash=stored_hash(password)))
    return email


def sign_in(client, email: str, password: str = PASSWORD):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token})


def post_form(client, page: str, action: str | None = None, **fields):
    """Open `page`, take its CSRF token, and post `fields` to `action` (default: the page)."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(action or page, data={"csrf_token": token, **fields})


def read_rows(db, statement) -> list:
    """Rows as the store has them now, detached, with no transaction left open (SQLite locks)."""
    db.rollback()
    found = db.scalars(statement).all()
    db.expunge_all()
    db.rollback()
    return found
