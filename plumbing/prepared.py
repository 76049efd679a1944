"""One statement run through libpq's own prepared-statement call on a pooled psycopg connection.

psycopg's `execute()` spends about 90 µs of CPU in Python on a one-row INSERT (its generator
protocol, adapting each parameter, describing the result); `PQexecPrepared` on the same connection
about 20 µs (issue 14: webhook intake runs one such statement per batch of deliveries, and was
bound by CPU). Here the statement is prepared once per connection under a name of its own,
parameters go as text (bytes as binary), and rows come back as text, turned into int or str by
their column's type. libpq waits for the server with the GIL released, as psycopg does.

Errors are psycopg's own exceptions, as `execute()` raises them, so callers and SQLAlchemy's
disconnect detection treat them alike.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Mapping

import psycopg
from psycopg import pq
from psycopg.errors import error_from_result

PLACEHOLDER = re.compile(r"%\((\w+)\)s")   # the driver's named parameters, as SQLAlchemy compiles them
INTEGER_TYPES = frozenset({20, 21, 23})     # int8, int2, int4 (pg_type oids)
MISSING_STATEMENT = "26000"                 # a connection reset by a pooler forgets what it prepared
DONE = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK)


@dataclass(frozen=True)
class PreparedStatement:
    name: bytes
    sql: bytes
    parameters: tuple[str, ...]   # the named parameters, in the order of $1, $2, ...


def prepared_statement(driver_sql: str) -> PreparedStatement:
    """`driver_sql` (named %(name)s parameters, %% for a literal %) with positional $n ones."""
    order: list[str] = []

    def number(found: re.Match) -> str:
        order.append(found[1])
        return f"${len(order)}"

    sql = PLACEHOLDER.sub(number, driver_sql).replace("%%", "%")
    name = b"okrsync_" + hashlib.sha256(sql.encode()).hexdigest()[:24].encode()
    return PreparedStatement(name, sql.encode(), tuple(order))


def run_prepared(pooled, statement: PreparedStatement, params: Mapping[str, Any]) -> list[tuple]:
    """Run `statement` on `pooled` (a SQLAlchemy pool's connection to PostgreSQL in autocommit);
    the rows it returns. Raises psycopg.Error as psycopg's execute() would."""
    connection: psycopg.Connection = pooled.driver_connection
    values, formats = zip(*(_text_or_binary(params[name]) for name in statement.parameters)) \
        if statement.parameters else ((), ())
    prepared = pooled.info.setdefault("okrsync.prepared", set())
    if statement.name not in prepared:
        _prepare(connection, statement)
        prepared.add(statement.name)
    result = connection.pgconn.exec_prepared(statement.name, values, formats)
    if _state(result) == MISSING_STATEMENT:
        _prepare(connection, statement)
        result = connection.pgconn.exec_prepared(statement.name, values, formats)
    _check(connection, result)
    return _rows(result)


def _prepare(connection: psycopg.Connection, statement: PreparedStatement) -> None:
    _check(connection, connection.pgconn.prepare(statement.name, statement.sql))


def _check(connection: psycopg.Connection, result) -> None:
    if result.status in DONE:
        return
    if connection.pgconn.status == pq.ConnStatus.BAD:
        raise psycopg.OperationalError(result.get_error_message("utf-8")
                                       or "the connection to the server was lost")
    raise error_from_result(result, encoding="utf-8")


def _state(result) -> str:
    return (result.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode("ascii", "replace")


def _text_or_binary(value) -> tuple[bytes | None, int]:
    """A parameter as libpq takes it: (its bytes, 0 for text or 1 for binary)."""
    if value is None:
        return None, 0
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value), 1
    if isinstance(value, bool):
        return (b"true" if value else b"false"), 0
    if isinstance(value, int):
        return str(value).encode("ascii"), 0
    if isinstance(value, (datetime, date)):
        return value.isoformat().encode("ascii"), 0
    if isinstance(value, str):
        if "\x00" in value:   # a text parameter ends at NUL in libpq; psycopg refuses it too
            raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        return value.encode("utf-8"), 0
    raise TypeError(f"no text form for a {type(value).__name__} parameter")


def _rows(result) -> list[tuple]:
    columns = range(result.nfields)
    integer = [result.ftype(column) in INTEGER_TYPES for column in columns]
    return [tuple(_value(result.get_value(row, column), integer[column]) for column in columns)
            for row in range(result.ntuples)]


def _value(raw: bytes | None, integer: bool):
    if raw is None:
        return None
    return int(raw) if integer else raw.decode("utf-8")
