"""Short read-only sessions for caches that may be refreshed while a request holds a transaction.

On SQLite the store begins every transaction IMMEDIATE (it takes the write lock), so a second
session opened by the same request would wait for the first; these readers use plain WAL reads,
which never wait for a writer. Other databases read without waiting anyway.
"""
from __future__ import annotations

from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool


def read_session(app: Flask) -> Session:
    """A session for reading committed data without waiting for the request's transaction."""
    url = app.config["SETTINGS"].database_url
    if not url.startswith("sqlite"):
        return app.extensions["okrsync.sessionmaker"]()
    engine = app.extensions.get("okrsync.reader_engine")
    if engine is None:
        engine = create_engine(url, poolclass=NullPool,
                               connect_args={"timeout": 10, "check_same_thread": False})
        app.extensions["okrsync.reader_engine"] = engine
    return Session(bind=engine)
