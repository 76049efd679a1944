"""The store inside Flask: one engine per app, one session per request or job."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from okr_core.store import make_engine, make_sessionmaker, session_scope


def init_db(app: Flask) -> None:
    engine = make_engine(app.config["SETTINGS"].database_url)
    app.extensions["okrsync.engine"] = engine
    app.extensions["okrsync.sessionmaker"] = make_sessionmaker(engine)
    app.teardown_appcontext(_close_request_session)


def request_session() -> Session:
    """The session of the current request; the view commits, teardown rolls back the rest."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["okrsync.sessionmaker"]()
    return g.db_session


def _close_request_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def job_session() -> Iterator[Session]:
    """A session whose transaction is the job's: committed when the block ends."""
    with session_scope(current_app.extensions["okrsync.sessionmaker"]) as session:
        yield session


def engine():
    return current_app.extensions["okrsync.engine"]
