"""Connector registry keyed by tracker kind, and the one way to build a connector."""
from __future__ import annotations

from typing import Callable

import requests

from connector.base import TrackerConnector
from okr_core.domain import TrackerKind

ConnectorFactory = Callable[..., TrackerConnector]


def _jira(base_url: str, credentials: dict, settings: dict, session=None, sleep=None) -> TrackerConnector:
    from connector.jira.connector import JiraConnector

    return JiraConnector.from_config(base_url, credentials, settings, session=session, sleep=sleep)


def _linear(base_url: str, credentials: dict, settings: dict, session=None, sleep=None) -> TrackerConnector:
    from connector.linear.connector import LinearConnector

    return LinearConnector.from_config(base_url, credentials, settings, session=session, sleep=sleep)


# Imported lazily so that building a Jira connector never pays for loading Linear's schema.
CONNECTORS: dict[TrackerKind, ConnectorFactory] = {
    TrackerKind.JIRA: _jira,
    TrackerKind.LINEAR: _linear,
}


def build_connector(
    kind: TrackerKind | str,
    base_url: str,
    credentials: dict,
    settings: dict | None = None,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] | None = None,
) -> TrackerConnector:
    """Build the connector for `kind`; ValueError names missing credentials or unknown kinds."""
    try:
        factory = CONNECTORS[TrackerKind(kind)]
    except ValueError:
        raise ValueError(f"unknown tracker kind {kind!r}; known: {sorted(map(str, CONNECTORS))}") from None
    return factory(base_url.rstrip("/"), dict(credentials), dict(settings or {}), session=session, sleep=sleep)
