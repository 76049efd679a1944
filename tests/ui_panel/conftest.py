"""UI fixtures: the demo company in the test store and signed-in web clients."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from okr_core.models import (
    Base, Connection, Cycle, KeyResult, LinkItem, User, WorkItem, WorkLink,
)
from okr_core.store import make_engine, make_sessionmaker, session_scope
from okrsync.demo import DEMO_ADMIN_EMAIL, load_demo
from tests.sqlite_templates import copy_rows
from tests.ui_panel.forge_tokens import APP_ID, SITE, ForgeSigner, serve_jwks

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
ACCOUNT = "5b10ac8d82e05b22cc7d4ef5"  # the Jira accountId linked to a demo user by `forge`
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """A SQLite store holding the demo company, loaded once per test process (xdist worker)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with session_scope(make_sessionmaker(engine)) as session:
        load_demo(session, now=NOW)
    engine.dispose()
    return path


@pytest.fixture
def demo(request, app, db):
    """The demo company loaded into the test store; returns its cycle id. On SQLite its rows are
    copied from demo_store (the same load_demo, run once); on PostgreSQL, or when the store
    already holds rows, load_demo runs here."""
    engine = app.extensions["okrsync.engine"]
    if not (engine.dialect.name == "sqlite"
            and copy_rows(engine, request.getfixturevalue("demo_store"))):
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
        session["generation"] = 0  # a user who never signed out or changed password
    return client


def csrf_token(client, path: str = "/") -> str:
    """A CSRF token from a page's form, as a browser would send it back."""
    match = CSRF.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def admin_client(app, db, demo):
    return sign_in(app.test_client(), user_id_by_email(db, DEMO_ADMIN_EMAIL))


def linked_issue(db) -> tuple[int, str, str]:
    """(connection id, issue key, title of a KR the issue moves) from the demo data."""
    row = db.execute(select(WorkItem.connection_id, WorkItem.key, KeyResult.title)
                     .join(LinkItem, LinkItem.work_item_id == WorkItem.id)
                     .join(WorkLink, WorkLink.id == LinkItem.work_link_id)
                     .join(KeyResult, KeyResult.id == WorkLink.key_result_id)
                     .order_by(WorkItem.id).limit(1)).one()
    db.commit()
    return row.connection_id, row.key, row.title


@pytest.fixture
def forge(app, db, demo):
    """A Forge app configured with a local JWKS, the demo's Jira site bound to SITE, and a demo
    user linked to the Jira account ACCOUNT."""
    signer = ForgeSigner()
    with serve_jwks(signer) as (url, _):
        app.config.update(FORGE_APP_ID=APP_ID, FORGE_JWKS_URL=url)
        user = db.scalar(select(User).where(User.email == "chloe@northwind.example"))
        user.jira_account_id = ACCOUNT
        for connection in db.scalars(select(Connection).where(Connection.tracker == "jira")):
            connection.cloud_id = SITE
        db.commit()
        yield signer
