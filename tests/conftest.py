"""Shared fixtures: an app on a fresh store (SQLite file or a PostgreSQL schema), users, tokens."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from config.settings import Settings
from okr_core.accounts import hash_token, new_token
from okr_core.domain import Role, TeamKind
from okr_core.models import ApiToken, Base, Team, User
from okr_core.store import make_engine, session_scope
from tests.sqlite_templates import copy_schema, sqlite_path
from tests.worker_redis import REDIS_URL

PG_URL = os.environ.get("OKRSYNC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# `make fast` sets OKRSYNC_TEST_STORES=sqlite: the store tests run on SQLite alone.
BACKENDS = [store for store in os.environ.get("OKRSYNC_TEST_STORES", "sqlite,postgresql").split(",")
            if store]


REDIS_FIXTURES = {"redis_db", "redis_app"}


def pytest_collection_modifyitems(items) -> None:
    """Mark what needs a server, so the fast loop (`make fast`) can leave it out."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & REDIS_FIXTURES:
            item.add_marker(pytest.mark.redis)
        store = getattr(getattr(item, "callspec", None), "params", {}).get("database_url")
        if "pg_schema_url" in names or store == "postgresql":
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def encryption_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def pg_schema_url():
    """A PostgreSQL URL whose search_path is a schema of its own, dropped afterwards."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path: Path) -> str:
    """The store under test: every test using it runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'okrsync.db'}"
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def settings(tmp_path: Path, database_url: str, encryption_key: str) -> Settings:
    return Settings(instance_path=tmp_path / "instance", database_url=database_url,
                    secret_key="test-secret-key-" + uuid.uuid4().hex,
                    encryption_keys=(encryption_key,), embedded_workers=2)


@pytest.fixture
def redis_db():
    """The test Redis database of this process (tests/worker_redis.py), empty before and after the test."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory) -> Path:
    """An empty SQLite store with every table, built once per test process (xdist worker)."""
    path = tmp_path_factory.mktemp("schema") / "schema.db"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()   # the last connection folds the WAL into the file: one file to copy
    return path


@pytest.fixture
def app(request, settings: Settings):
    from okrsync.app import create_app

    path = sqlite_path(settings.database_url)
    if not (path and copy_schema(request.getfixturevalue("sqlite_schema"), path)):
        engine = make_engine(settings.database_url)
        Base.metadata.create_all(engine)
        engine.dispose()
    # Lookups are not reused across requests in tests (WEBHOOK_CONNECTION_TTL), so that a test
    # that changes a secret sees it at once; test_intake_connection_cache covers the reuse.
    app = create_app({"TESTING": True, "EMBEDDED_RETRY_SCALE": 0.0, "WEBHOOK_CONNECTION_TTL": 0,
                      "ANALYSIS_DEBOUNCE_SECONDS": 0},
                     settings=settings)
    yield app
    app.extensions["okrsync.queue"].shutdown()
    app.extensions["okrsync.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A session on the app's store for arranging and checking data; commit what you arrange."""
    session = app.extensions["okrsync.sessionmaker"]()
    yield session
    session.close()


class Actors:
    """Makes teams, users and their API tokens for a test."""

    def __init__(self, app):
        self._app = app
        self._n = 0

    def _sessions(self):
        return session_scope(self._app.extensions["okrsync.sessionmaker"])

    def team(self, name: str, kind: TeamKind = TeamKind.TEAM, parent_id: int | None = None) -> int:
        with self._sessions() as session:
            team = Team(name=name, kind=kind, parent_id=parent_id)
            session.add(team)
            session.flush()
            return team.id

    def user(self, role: Role = Role.MEMBER, team_id: int | None = None,
             name: str | None = None) -> tuple[int, dict]:
        """A user and the Authorization header of a fresh token of theirs."""
        self._n += 1
        token = new_token()
        with self._sessions() as session:
            user = User(name=name or f"user{self._n}", email=f"user{self._n}-{uuid.uuid4().hex[:6]}@test.example",
                        role=role, team_id=team_id)
            session.add(user)
            session.flush()
            session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:10]))
            return user.id, {"Authorization": f"Bearer {token}"}


@pytest.fixture
def actors(app) -> Actors:
    return Actors(app)


@pytest.fixture
def admin(actors) -> dict:
    return actors.user(Role.ADMIN)[1]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright, one per test module (every browser test uses this one)."""
    from playwright.sync_api import sync_playwright

    from tests.ui_panel.live_server import CHROMIUM, CHROMIUM_ARGS
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is missing: run `make browser` (scripts/ensure-chromium.sh)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
