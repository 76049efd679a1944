"""Registries keyed by tracker kind: what okrsync knows of each tracker before any connection
exists (its webhook dialect, how its mirrors and attachments work), and the one way to build a
connector."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import requests

from connector.base import TrackerConnector
from connector.jira.webhooks import JIRA_WEBHOOKS
from connector.linear.webhooks import LINEAR_WEBHOOKS
from connector.webhook import WebhookDialect
from okr_core.domain import TrackerKind

ConnectorFactory = Callable[..., TrackerConnector]


def _jira(base_url: str, credentials: dict, settings: dict, session=None, sleep=None) -> TrackerConnector:
    from connector.jira.connector import JiraConnector

    return JiraConnector.from_config(base_url, credentials, settings, session=session, sleep=sleep)


def _linear(base_url: str, credentials: dict, settings: dict, session=None, sleep=None) -> TrackerConnector:
    from connector.linear.connector import LinearConnector

    return LinearConnector.from_config(base_url, credentials, settings, session=session, sleep=sleep)


def _record_jira_site(connection, http_session) -> str | None:
    from connector.jira.cloud_site import record_tested_site

    return record_tested_site(connection, http_session)


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


@dataclass(frozen=True)
class Tracker:
    """A tracker kind's fixed traits, separate from any connection to it."""

    webhooks: WebhookDialect
    parent_ref_is_key: bool      # a KR's mirror names its parent mirror by key (else by id)
    names_items_by_key: bool     # queries name one item by its key (else by its id)
    issue_attachments: bool      # linked issues carry an attachment for their KR
    newest_first: bool           # changed items are listed newest first (else oldest first)
    # How an approved check-in reaches a KR's mirror: "linear_project_update" (a project update
    # with its health) or "jira_comment" (a comment on the KR issue, named by key).
    check_in_post: str = ""
    # After a passing connection test: record what the site told of itself on the connection
    # (the caller commits); what was recorded, or None.
    record_tested_site: Callable[..., str | None] = lambda connection, http_session: None


TRACKERS: dict[TrackerKind, Tracker] = {
    TrackerKind.JIRA: Tracker(JIRA_WEBHOOKS, parent_ref_is_key=True, names_items_by_key=True,
                               issue_attachments=False, newest_first=False,
                               check_in_post="jira_comment", record_tested_site=_record_jira_site),
    TrackerKind.LINEAR: Tracker(LINEAR_WEBHOOKS, parent_ref_is_key=False, names_items_by_key=False,
                                 issue_attachments=True, newest_first=True,
                                 check_in_post="linear_project_update"),
}


def tracker(kind: TrackerKind | str) -> Tracker:
    """The traits of a tracker kind; ValueError for an unknown kind."""
    return TRACKERS[TrackerKind(kind)]


def kinds_with_issue_attachments() -> tuple[TrackerKind, ...]:
    return tuple(kind for kind, traits in TRACKERS.items() if traits.issue_attachments)
