"""The secrets okrsync holds, kept in memory so logs and messages can be scrubbed of them.

Refreshed at start, after every admin change, and at most a minute old otherwise (other
processes may have changed them).
"""
from __future__ import annotations

import threading
import time

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from config.audit import latest_entry
from config.instance_settings import LLM_ACTION
from config.notification_settings import SMTP_ACTION, env_smtp_settings, slack_secrets
from config.secrets import SecretUndecryptable
from config.store_reader import read_session
from okr_core.models import Connection

MAX_AGE_SECONDS = 60.0
MIN_SECRET_LENGTH = 6
REDACTED = "[redacted]"


NOT_SECRET = {"email"}  # credential fields that identify rather than authenticate


def _credential_secrets(credentials: dict) -> list[str]:
    return [v for k, v in credentials.items() if k not in NOT_SECRET and isinstance(v, str)]


class KnownSecrets:
    """A cached, refreshable list of every configured secret of one app."""

    def __init__(self, app: Flask):
        self._app = app
        self._values: tuple[str, ...] = ()
        self._loaded_at = float("-inf")
        self._busy = threading.local()
        self._lock = threading.Lock()

    def __call__(self) -> tuple[str, ...]:
        """The cached list; when stale, a background thread reloads it (logging never waits on I/O)."""
        if time.monotonic() - self._loaded_at > MAX_AGE_SECONDS and self._lock.acquire(False):
            self._lock.release()
            self._loaded_at = time.monotonic()  # one reload at a time, not one per log line
            threading.Thread(target=self.refresh, name="okrsync-known-secrets", daemon=True).start()
        return self._values

    def refresh(self) -> None:
        """Reload from the store; re-entrant calls (a log line while loading) use the old list."""
        if getattr(self._busy, "on", False):
            return
        self._busy.on = True
        try:
            with self._lock:
                self._values = self._load()
                self._loaded_at = time.monotonic()
        finally:
            self._busy.on = False

    def _load(self) -> tuple[str, ...]:
        found = [self._app.config["SETTINGS"].openai_api_key or "",
                 self._app.config["SETTINGS"].secret_key,
                 env_smtp_settings(self._app.config["SETTINGS"]).password]
        box = self._app.extensions["okrsync.secret_box"]
        session = read_session(self._app)
        try:
            for connection in session.scalars(select(Connection)):
                found += _credential_secrets(box.decrypt_json(connection.credentials_encrypted))
                found.append(box.decrypt(connection.webhook_secret_encrypted))
            llm = latest_entry(session, LLM_ACTION)
            if llm is not None:
                found.append(box.decrypt((llm.detail or {}).get("api_key_encrypted", "")))
            smtp = latest_entry(session, SMTP_ACTION)
            if smtp is not None:
                found.append(box.decrypt((smtp.detail or {}).get("password_encrypted", "")))
            found += slack_secrets(session, box)
        except (SQLAlchemyError, SecretUndecryptable):
            # Before `db upgrade`, or with a retired key: keep what was known, never fail logging.
            found.extend(self._values)
        finally:
            session.close()
        # Longest first, so a secret containing another is replaced whole.
        usable = {s for s in found if len(s) >= MIN_SECRET_LENGTH}
        return tuple(sorted(usable, key=len, reverse=True))

    def redact(self, text: str) -> str:
        """`text` with every known secret replaced by a marker."""
        for secret in self():
            text = text.replace(secret, REDACTED)
        return text


def known_secrets(app: Flask) -> KnownSecrets:
    return app.extensions["okrsync.known_secrets"]
