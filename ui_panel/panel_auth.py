"""Who is looking at an embedded panel (web session or Forge token) and who may frame it."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, g, request
from sqlalchemy import select

from ui_panel.signin import current_web_user
from okr_core.domain import TrackerKind
from okr_core.models import Connection, User
from okr_core.visibility import Viewer, make_viewer
from plumbing.db import request_session
from ui_panel.forge_auth import InvalidInvocationToken, Invocation, bearer_token, forge_verifier

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


def verified_invocation() -> Invocation:
    """The request's verified FIT; 401 when absent, invalid, or no Forge app is configured."""
    verifier = forge_verifier()
    if verifier is None:
        current_app.logger.warning("panel.forge.not-configured: OKRSYNC_FORGE_APP_ID is unset")
        abort(401)
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        abort(401)
    try:
        return verifier.verify(token)
    except InvalidInvocationToken as exc:
        current_app.logger.warning("panel.forge.invalid-token: %s", exc)
        abort(401)


def invocation_viewer(invocation: Invocation) -> Viewer:
    """The okrsync user behind a FIT's Atlassian account; 403 when none is linked."""
    user = None
    if invocation.account_id:
        user = request_session().scalar(select(User).where(
            User.jira_account_id == invocation.account_id, User.active.is_(True)))
    if user is None:
        abort(403)
    g.panel_user = user
    return make_viewer(request_session(), user)


def panel_viewer() -> Viewer | None:
    """A signed-in web user, else the user of a valid Forge token, else None (no credentials)."""
    user = current_web_user()
    if user is not None:
        g.panel_user = user
        return make_viewer(request_session(), user)
    if bearer_token(request.headers.get("Authorization")) is None:
        return None
    return invocation_viewer(verified_invocation())
