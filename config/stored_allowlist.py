"""The outbound allowlist an admin keeps in the store, read through a short cache."""
from __future__ import annotations

import time

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from config.instance_settings import load_allowlist
from config.store_reader import read_session

MAX_AGE_SECONDS = 30.0


class StoredAllowlist:
    """Iterates the static entries plus the admin's list (re-read when older than 30 s)."""

    def __init__(self, app: Flask, static: tuple[str, ...] = ()):
        self._app = app
        self._static = tuple(static)
        self._stored: tuple[str, ...] = ()
        self._loaded_at = float("-inf")

    def __iter__(self):
        if time.monotonic() - self._loaded_at > MAX_AGE_SECONDS:
            self.refresh()
        return iter(self._static + self._stored)

    def refresh(self) -> None:
        session = read_session(self._app)
        try:
            self._stored = load_allowlist(session)
        except SQLAlchemyError:
            self._stored = ()  # no audit table yet (before `db upgrade`): nothing allowlisted
        finally:
            session.close()
        self._loaded_at = time.monotonic()


def refresh_stored_allowlist(app: Flask) -> None:
    """Re-read the admin's list now (a test or script may have put a plain tuple there)."""
    extra = app.config.get("OUTBOUND_ALLOWLIST_EXTRA")
    if isinstance(extra, StoredAllowlist):
        extra.refresh()
