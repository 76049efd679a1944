"""Builds the connector of a stored connection, with its secrets decrypted only for the call."""
from __future__ import annotations

from connector.base import TrackerConnector
from connector.registry import build_connector
from okr_core.models import Connection
from config.urlsafety import safe_session
from plumbing.services import allowlist, secret_box


def connector_for(connection: Connection, **kwargs) -> TrackerConnector:
    """The connector for `connection`; every call it makes passes the outbound URL check."""
    credentials = secret_box().decrypt_json(connection.credentials_encrypted)
    kwargs.setdefault("session", safe_session(allowlist()))
    return build_connector(connection.tracker, connection.base_url, credentials,
                           connection.settings or {}, **kwargs)
