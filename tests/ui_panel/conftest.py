"""UI fixtures: the demo company in the test store and signed-in web clients."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from okr_core.models import Cycle, User
from okrsync.demo import DEMO_ADMIN_EMAIL, load_demo

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def demo(app, db):
    """The demo company loaded into the test store; returns its cycle id."""
    load_demo(db, now=NOW)
    db.commit()
    return scalar(db, select(Cycle.id))


def scalar(db, stmt):
    """Read one value and end the transaction (SQLite holds a write lock per transaction)."""
    value = db.scalar(stmt)
    db.commit()
    return value


def user_id_by_email(db, email: str) -> int:
    return scalar(db, select(User.id).where(User.email == email))


def sign_in(client, user_id: int):
    """Sign the client in as a user (the session cookie the login page would set)."""
    with client.session_transaction() as session:
        session["user_id"] = user_id
    return client


def csrf_token(client, path: str = "/") -> str:
    """A CSRF token from a page's form, as a browser would send it back."""
    match = CSRF.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def admin_client(app, db, demo):
    return sign_in(app.test_client(), user_id_by_email(db, DEMO_ADMIN_EMAIL))
