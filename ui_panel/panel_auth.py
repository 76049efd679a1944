"""Who is looking at an embedded panel (web session or Forge token) and who may frame it."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, g, request
from sqlalchemy import select

from ui_panel.signin import current_web_user
from okr_core.domain import TrackerKind
from okr_core.models import Connection
from okr_core.visibility import Viewer, make_viewer
from plumbing.db import request_session
from ui_panel.forge_access import ForgeRefusal, forge_caller
from ui_panel.forge_auth import bearer_token

# Jira Cloud sites and Linear's app are always tracker sites; Data Center and self-hosted
# sites come from the connections' base URLs.
CLOUD_TRACKER_ORIGINS = ("https://*.atlassian.net", "https://linear.app")


def tracker_frame_ancestors() -> list[str]:
    """The origins allowed to frame panel views: every connection's site plus the clouds."""
    urls = request_session().scalars(select(Connection.base_url).where(
        Connection.tracker.in_([TrackerKind.JIRA, TrackerKind.LINEAR]))).all()
    origins = {_origin(url) for url in urls}
    origins.discard(None)
    return sorted(origins) + list(CLOUD_TRACKER_ORIGINS)


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def panel_viewer() -> Viewer | None:
    """A signed-in web user, else the user of a valid Forge token, else None (no credentials)."""
    user = current_web_user()
    if user is not None:
        g.panel_user = user
        return make_viewer(request_session(), user)
    if bearer_token(request.headers.get("Authorization")) is None:
        return None
    try:
        caller = forge_caller()
    except ForgeRefusal as refusal:
        current_app.logger.info("panel.forge.refused: %s", refusal.code)
        abort(refusal.status)
    g.forge_caller = caller
    return caller.viewer


def site_may_show(connection_id: int | None) -> bool:
    """A Forge caller sees only its own site's connections; a signed-in web user sees any."""
    caller = g.get("forge_caller")
    return caller is None or connection_id in caller.connection_ids
