"""Recording which Jira Cloud site (cloud id) a connection reads, when the connection is tested.

https://support.atlassian.com/jira/kb/retrieve-my-atlassian-sites-cloud-id : a Jira Cloud site
answers `GET https://<site>.atlassian.net/_edge/tenant_info` with `{"cloudId": "..."}`. The Forge
app's calls are then served only from an installation on that site (ui_panel.forge_sites).
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from okr_core.domain import TrackerKind
from okr_core.models import Connection

log = logging.getLogger("okrsync.forge")
TENANT_INFO_PATH = "/_edge/tenant_info"
MAX_CLOUD_ID_LENGTH = 64


def tenant_info_url(connection: Connection) -> str | None:
    """Where a Jira Cloud site tells its cloud id; None for Linear and Data Center. The scheme is
    the connection's (its base URL passed the outbound checks; the session re-checks)."""
    if connection.tracker != TrackerKind.JIRA:
        return None
    if (connection.settings or {}).get("deployment", "cloud") != "cloud":
        return None
    parts = urlsplit(connection.base_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{TENANT_INFO_PATH}"


def record_tested_site(connection: Connection, http_session, timeout: float = 10.0) -> str | None:
    """Ask the site for its cloud id and record it on the connection (the caller commits);
    the id, or None when the site did not say (the first verified Forge call binds it then)."""
    url = tenant_info_url(connection)
    if url is None:
        return None
    try:
        response = http_session.get(url, timeout=timeout, allow_redirects=False)
        answer = response.json() if response.status_code == 200 else {}
    except (ValueError, OSError) as failure:  # requests' errors are OSErrors; UnsafeURL a ValueError
        log.warning("jira.tenant-info-failed: connection %s: %s", connection.id, failure)
        return None
    cloud_id = answer.get("cloudId") if isinstance(answer, dict) else None
    if not isinstance(cloud_id, str) or not cloud_id.strip() or len(cloud_id) > MAX_CLOUD_ID_LENGTH:
        return None
    if connection.cloud_id != cloud_id.strip():
        connection.cloud_id = cloud_id.strip()
        log.info("jira.site-recorded: connection %s -> cloud id %s", connection.id, cloud_id)
    return connection.cloud_id


def forget_site_if_moved(connection: Connection, previous_base_url: str) -> None:
    """A connection pointed at another host no longer reads the recorded site."""
    if urlsplit(previous_base_url or "").hostname != urlsplit(connection.base_url or "").hostname:
        connection.cloud_id = None
