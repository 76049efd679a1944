"""The store inside Flask: one engine per app, one session per request or job."""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from okr_core.store import make_engine, make_sessionmaker, session_scope
from plumbing.prepared import PreparedStatement, prepared_statement, run_prepared


REQUEST_THREADS = 8   # threads running Flask per `okrsync serve` process (a2wsgi); the pool matches


def init_db(app: Flask) -> None:
    engine = make_engine(app.config["SETTINGS"].database_url)
    app.extensions["okrsync.engine"] = engine
    app.extensions["okrsync.sessionmaker"] = make_sessionmaker(engine)
    app.extensions["okrsync.autocommit_engine"] = _autocommit_engine(engine)
    app.teardown_appcontext(_close_request_session)


def _autocommit_engine(engine: Engine) -> Engine | None:
    """PostgreSQL only: autocommit connections without pre-ping, disposed with the main engine."""
    if engine.dialect.name != "postgresql":
        return None
    # As many pooled connections as a serve process runs threads: no connect per request. No
    # rollback when one is returned: in autocommit no transaction is left open (issue 14: the
    # pool's reset was a tenth of intake's cost of a statement).
    autocommit = create_engine(engine.url, isolation_level="AUTOCOMMIT",
                               pool_size=REQUEST_THREADS, max_overflow=10,
                               pool_reset_on_return=None)
    event.listen(engine, "engine_disposed", lambda _engine: autocommit.dispose())
    return autocommit


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


def execute_alone(statement, params: dict) -> list[tuple]:
    """Run one statement that is safe to repeat as a transaction of its own; the rows it returns.

    On PostgreSQL it runs in autocommit, with no pre-ping, straight on the pooled driver
    connection as a libpq prepared statement (plumbing/prepared.py): one round trip instead of
    four (ping, BEGIN, statement, COMMIT), and neither SQLAlchemy's execution layer nor psycopg's,
    each of which cost as much CPU as the round trip (webhook intake). A
    connection the server dropped meanwhile is replaced and the statement sent once more, which
    is why it must be safe to repeat.
    """
    autocommit = current_app.extensions["okrsync.autocommit_engine"]
    if autocommit is None:
        with engine().begin() as conn:
            return [tuple(row) for row in conn.execute(statement, params)]
    try:
        return _on_driver(autocommit, statement, params)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    return _on_driver(autocommit, statement, params)


def _on_driver(autocommit: Engine, statement, params: dict) -> list[tuple]:
    """Execute on a pooled psycopg connection; errors raised as SQLAlchemy's DBAPIError. Rows hold
    ints and strs (the only column types intake returns)."""
    dialect = autocommit.dialect
    sql = _driver_sql(statement, dialect)
    prepared = _prepared(sql)
    try:
        pooled = autocommit.raw_connection()
    except dialect.loaded_dbapi.Error as exc:
        # The pool hands out the driver's own error when it cannot connect (the server is down).
        raise DBAPIError.instance(sql, params, exc, dialect.loaded_dbapi.Error,
                                  hide_parameters=True, dialect=dialect) from exc
    try:
        return run_prepared(pooled, prepared, params)
    except dialect.loaded_dbapi.Error as exc:
        dropped = dialect.is_disconnect(exc, pooled.driver_connection, None)
        if dropped:
            # The server restarted or the network dropped: its other pooled connections are
            # likely gone too, so drop them all (as SQLAlchemy does for its own execution).
            pooled.invalidate(exc)
            autocommit.dispose()
        raise DBAPIError.instance(sql, params, exc, dialect.loaded_dbapi.Error,
                                  hide_parameters=True, connection_invalidated=dropped,
                                  dialect=dialect) from exc
    finally:
        pooled.close()


@lru_cache(maxsize=256)   # intake's batch INSERTs: one statement per batch size
def _driver_sql(statement, dialect) -> str:
    """The statement as the driver takes it (named %(name)s parameters), compiled once."""
    return str(statement.compile(dialect=dialect))


@lru_cache(maxsize=256)
def _prepared(driver_sql: str) -> PreparedStatement:
    return prepared_statement(driver_sql)
