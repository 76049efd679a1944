"""Which okrsync Jira connections a Forge installation may read: those bound to its site.

A connection is bound to its Jira Cloud site by cloud id (`Connection.cloud_id`). The id is
recorded when an admin tests the connection (connector.jira.site) or on
the first verified Forge call from that site: the signed FIT's `context.siteUrl` names the site
(https://developer.atlassian.com/platform/forge/remote/essentials/#the-forge-invocation-token--fit-)
and its `context.cloudId` must be one of the installation's own sites. After that only the
installation's claims decide; a connection bound to another site is never served.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.domain import TrackerKind
from okr_core.models import Connection
from ui_panel.forge_auth import Invocation

log = logging.getLogger("okrsync.forge")


def site_connection_ids(session: Session, invocation: Invocation) -> list[int]:
    """Ids of the Jira connections bound to one of the installation's sites (binding an unbound
    connection of the calling site on its first verified call); [] when none matches."""
    if not invocation.site_ids:
        return []
    bound = list(session.scalars(select(Connection.id).where(
        Connection.tracker == TrackerKind.JIRA,
        Connection.cloud_id.in_(sorted(invocation.site_ids))).order_by(Connection.id)))
    return bound or _bind_on_first_call(session, invocation)


def _bind_on_first_call(session: Session, invocation: Invocation) -> list[int]:
    cloud_id = invocation.context.get("cloudId")
    host = _https_host(invocation.context.get("siteUrl"))
    if cloud_id not in invocation.site_ids or host is None:
        return []
    unbound = [c for c in session.scalars(select(Connection).where(
        Connection.tracker == TrackerKind.JIRA, Connection.cloud_id.is_(None)))
        if _https_host(c.base_url) == host]
    for connection in unbound:
        connection.cloud_id = cloud_id
        log.info("forge.site-bound: connection %s -> cloud id %s (installation %s)",
                 connection.id, cloud_id, invocation.installation_id)
    if unbound:
        session.commit()
    return sorted(c.id for c in unbound)


def _https_host(url) -> str | None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme != "https" or not parts.hostname:
        return None
    return parts.hostname.lower()
