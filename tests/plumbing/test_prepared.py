"""Statements run through libpq's prepared-statement call (plumbing/prepared.py), on PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

import psycopg
import pytest
from sqlalchemy import create_engine, text

from plumbing.prepared import prepared_statement, run_prepared

WHEN = datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=timezone.utc)
INSERT = prepared_statement(
    "INSERT INTO notes (n, title, body, flag, at) VALUES (%(n)s, %(title)s, %(body)s, %(flag)s,"
    " %(at)s::TIMESTAMP WITH TIME ZONE) ON CONFLICT (n) DO NOTHING RETURNING id, n, title")


@pytest.fixture
def autocommit(pg_schema_url):
    engine = create_engine(pg_schema_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE notes (id bigserial PRIMARY KEY, n int UNIQUE, title text,"
                          " body bytea, flag boolean, at timestamptz)"))
    yield engine
    engine.dispose()


def run(engine, statement, params):
    pooled = engine.raw_connection()
    try:
        return run_prepared(pooled, statement, params)
    finally:
        pooled.close()


def note(n: int, **changes) -> dict:
    return {"n": n, "title": "Ship it \u2713", "body": b"\x00\xff raw", "flag": True, "at": WHEN,
            **changes}


def test_named_parameters_become_positional_in_order_and_percent_signs_stay():
    statement = prepared_statement("SELECT %(b)s, %(a)s, %(b)s WHERE x LIKE 'a%%'")
    assert statement.sql == b"SELECT $1, $2, $3 WHERE x LIKE 'a%'"
    assert statement.parameters == ("b", "a", "b")
    assert statement.name == prepared_statement("SELECT %(b)s, %(a)s, %(b)s WHERE x LIKE 'a%%'").name


def test_values_are_stored_as_given_and_rows_come_back_typed(autocommit):
    assert run(autocommit, INSERT, note(1)) == [(1, 1, "Ship it \u2713")]
    assert run(autocommit, INSERT, note(2, title=None, flag=False)) == [(2, 2, None)]
    assert run(autocommit, INSERT, note(1)) == []   # the conflict: nothing returned
    with autocommit.connect() as conn:
        rows = conn.execute(text("SELECT n, title, body, flag, at FROM notes ORDER BY n")).all()
    assert [tuple(row) for row in rows] == [(1, "Ship it \u2713", b"\x00\xff raw", True, WHEN),
                                            (2, None, b"\x00\xff raw", False, WHEN)]


def test_the_statement_is_prepared_once_per_connection_and_again_when_the_server_forgot_it(
        autocommit):
    pooled = autocommit.raw_connection()
    try:
        run_prepared(pooled, INSERT, note(1))
        assert pooled.info["okrsync.prepared"] == {INSERT.name}
        pooled.driver_connection.execute("DEALLOCATE ALL")   # as a pooler resetting it would
        assert run_prepared(pooled, INSERT, note(2))[0][1] == 2
    finally:
        pooled.close()


def test_errors_are_psycopgs_own(autocommit):
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        run(autocommit, INSERT, note(2**31))
    with pytest.raises(psycopg.DataError, match="NUL"):
        run(autocommit, INSERT, note(3, title="a\x00b"))
    with pytest.raises(TypeError, match="float"):
        run(autocommit, INSERT, note(4, flag=1.5))
    assert run(autocommit, INSERT, note(5)) == [(1, 5, "Ship it \u2713")]   # the connection still works


def test_a_connection_the_server_dropped_raises_an_operational_error_sqlalchemy_sees_as_a_disconnect(
        autocommit, pg_schema_url):
    pooled = autocommit.raw_connection()
    try:
        backend = pooled.driver_connection.info.backend_pid
        admin = create_engine(pg_schema_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        admin.dispose()
        with pytest.raises(psycopg.OperationalError) as raised:
            run_prepared(pooled, INSERT, note(1))
        assert autocommit.dialect.is_disconnect(raised.value, pooled.driver_connection, None)
        pooled.invalidate(raised.value)
    finally:
        pooled.close()
