"""SQLite stores made once per test process and copied into each test's store.

Building the schema (create_all) and the demo company (load_demo) is most of a test's setup time
on SQLite; the result is the same for every test, so each process builds it once into a template
file and a test gets a copy: the schema as a file copy, rows by INSERT ... SELECT.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from okr_core.models import Base


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL; None for any other store or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def copy_schema(template: Path, path: str) -> bool:
    """Copy an empty store with every table to `path` (private, 0600, as make_engine makes it);
    False when `path` already exists (the caller builds its schema as before)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as out, open(template, "rb") as source:
        shutil.copyfileobj(source, out)
    return True


def copy_rows(engine: Engine, template: Path) -> bool:
    """Copy every row of the template store into the engine's store, in one transaction; False
    (and nothing copied) when the store already holds rows, which the copy could clash with."""
    tables = Base.metadata.sorted_tables
    pooled = engine.raw_connection()
    try:
        conn = pooled.driver_connection   # autocommit (store.py): transactions are ours to open
        if any(conn.execute(f'SELECT 1 FROM "{table.name}" LIMIT 1').fetchone() for table in tables):
            return False
        conn.execute("ATTACH DATABASE ? AS template", (str(template),))
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("PRAGMA defer_foreign_keys = ON")   # checked at COMMIT, as a whole
            for table in tables:
                columns = ", ".join(f'"{column.name}"' for column in table.columns)
                conn.execute(f'INSERT INTO main."{table.name}" ({columns}) '
                             f'SELECT {columns} FROM template."{table.name}"')
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.execute("DETACH DATABASE template")
    finally:
        pooled.close()
    return True
