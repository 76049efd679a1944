"""Builds the connector of a stored connection, with its secrets decrypted only for the call."""
from __future__ import annotations

from functools import partial

from flask import current_app, has_app_context

from connector.base import TrackerConnector
from connector.registry import build_connector
from okr_core.models import Connection
from config.urlsafety import safe_session
from plumbing.services import allowlist, secret_box
from sync.connections.site_facts import store_site_facts


def connector_for(connection: Connection, settings: dict | None = None,
                  **kwargs) -> TrackerConnector:
    """The connector for `connection`; every call it makes passes the outbound URL check.

    `settings`, when given, are laid over the connection's own.
    """
    credentials = secret_box().decrypt_json(connection.credentials_encrypted)
    kwargs.setdefault("session", safe_session(allowlist()))
    connector = build_connector(connection.tracker, connection.base_url, credentials,
                                {**(connection.settings or {}), **(settings or {})}, **kwargs)
    if hasattr(connector, "remember_facts") and has_app_context():
        # Reads may run on a prefetch thread: bind the app so the facts can be stored from there.
        connector.remember_facts = partial(_store_in_app, current_app._get_current_object(), connection.id)
    return connector


def _store_in_app(app, connection_id: int, facts: dict) -> None:
    with app.app_context():
        store_site_facts(connection_id, facts)


def job_connector_for(connection: Connection) -> TrackerConnector:
    """The connector a job uses: one attempt per call and never a sleep between attempts.

    A transient failure raises at once (RetriesExhausted, its cause the 5xx, timeout or 429) and
    the job is re-queued with back-off instead (sync.connections.tracker_health), freeing its worker.
    """
    return connector_for(connection, settings={"max_attempts": 1})
