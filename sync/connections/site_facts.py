"""Cache what a connector learned about its tracker site (field ids, the API user's time zone)
in the connection's settings, so the next job does not ask again (connector/jira/site.py)."""
from __future__ import annotations

import logging

from sqlalchemy import select

from okr_core.connection_settings import SITE_FACTS
from okr_core.models import Connection
from plumbing.db import job_session

log = logging.getLogger("okrsync.sync.connections.site_facts")


def store_site_facts(connection_id: int, facts: dict) -> None:
    """Merge learned facts into the connection's settings (row-locked: settings edits may race)."""
    with job_session() as session:
        connection = session.scalars(select(Connection).where(Connection.id == connection_id)
                                     .with_for_update()).first()
        if connection is None:
            return
        connection.settings = {**(connection.settings or {}), SITE_FACTS: dict(facts)}
    log.info("sync.site-facts.stored", extra={"connection_id": connection_id})

