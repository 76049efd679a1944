"""Engine and session factory for the store (SQLite embedded, PostgreSQL in production)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Sequence

from sqlalchemy import ARRAY, any_, bindparam, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement


def _configure_sqlite(engine: Engine) -> None:
    """WAL lets readers and one writer work at once; the busy timeout rides out short locks."""

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below own transactions
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # IMMEDIATE takes the write lock up front: a deferred transaction that later writes can fail
    # with SQLITE_BUSY at once (no busy wait) when another writer got there first.
    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine with the per-backend settings okrsync relies on."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False}, **kwargs)
        _create_private_file(engine.url.database)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, **kwargs)


def _create_private_file(path: str | None) -> None:
    """Create the SQLite file readable by its owner only (0600) before SQLite makes it 0644.

    SQLite creates the -wal, -shm and -journal files with the database file's permissions
    (its own regression test test/journal3.test checks this), so they stay private too.
    """
    if not path or path == ":memory:" or path.startswith("file:") or os.path.exists(path):
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except (FileExistsError, FileNotFoundError):
        # Made meanwhile by another process (privately too), or no such folder (SQLite says so).
        return


IN_CHUNK = 500   # keeps IN (...) lists well below every backend's parameter limits


def in_chunks(values: Sequence, size: int = IN_CHUNK) -> Iterator[Sequence]:
    """Consecutive slices of `values` small enough for one IN (...) list."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def in_filters(session: Session, column, values: Sequence) -> Iterator[ColumnElement[bool]]:
    """Conditions that between them match `column` against every one of `values`.

    PostgreSQL: one `column = ANY(:array)`, a single parameter whatever the count, so the
    statement text never changes with the number of values: one statement to parse, prepare and
    plan instead of one per list length. psycopg prepares a statement run often enough on a
    connection (https://www.psycopg.org/psycopg3/docs/advanced/prepare.html) and PostgreSQL may
    then keep one generic plan for it (https://www.postgresql.org/docs/current/sql-prepare.html),
    which for an array is planned as a short list: index probes, not a scan. The plan still needs
    statistics on the table (sync.table_stats). Elsewhere: IN (...) lists of IN_CHUNK values.
    """
    if not values:
        return
    if session.get_bind().dialect.name == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return
    for chunk in in_chunks(values):
        yield column.in_(chunk)


def insert_if_absent(session: Session, model, values: dict, keys: list[str]) -> bool:
    """INSERT the row unless its unique `keys` exist already; True when it was inserted."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    return session.execute(statement).rowcount == 1


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
