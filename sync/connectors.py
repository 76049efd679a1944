"""Builds the connector of a stored connection, with its secrets decrypted only for the call."""
from __future__ import annotations

from connector.base import TrackerConnector
from connector.registry import build_connector
from okr_core.models import Connection
from config.urlsafety import safe_session
from okrsync.services import allowlist, secret_box


def connector_for(connection: Connection, settings: dict | None = None,
                  **kwargs) -> TrackerConnector:
    """The connector for `connection`; every call it makes passes the outbound URL check.

    `settings`, when given, are laid over the connection's own.
    """
    credentials = secret_box().decrypt_json(connection.credentials_encrypted)
    kwargs.setdefault("session", safe_session(allowlist()))
    return build_connector(connection.tracker, connection.base_url, credentials,
                           {**(connection.settings or {}), **(settings or {})}, **kwargs)


def job_connector_for(connection: Connection) -> TrackerConnector:
    """The connector a job uses: one attempt per call and never a sleep between attempts.

    A transient failure raises at once (RetriesExhausted, its cause the 5xx, timeout or 429) and
    the job is re-queued with back-off instead (sync.tracker_health), freeing its worker.
    """
    return connector_for(connection, settings={"max_attempts": 1})
