"""The admin pages (`/admin`): connections, webhooks, mapping, LLM, people, tokens, sync, audit."""
from __future__ import annotations

from flask import Flask

from okrsync.admin import (  # noqa: F401 (routes)
    connections, llm, mapping, notifications, operations, people,
)
from okrsync.admin.blueprint import bp
from config.known_secrets import KnownSecrets
from config.stored_allowlist import StoredAllowlist
from plumbing.logging_setup import configure_logging


def init_admin(app: Flask) -> None:
    """Register the pages, keep the secrets logs must not show, read the admin's allowlist."""
    secrets = KnownSecrets(app)
    app.extensions["okrsync.known_secrets"] = secrets
    secrets.refresh()  # at start, synchronously: later reloads happen off the logging path
    static = tuple(app.config.get("OUTBOUND_ALLOWLIST_EXTRA", ()))
    app.config["OUTBOUND_ALLOWLIST_EXTRA"] = StoredAllowlist(app, static)
    configure_logging(app.config["SETTINGS"].log_format, secrets)
    app.register_blueprint(bp)
