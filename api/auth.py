"""Bearer-token authentication for /api/v1."""
from __future__ import annotations

from datetime import timedelta

from flask import g, request
from sqlalchemy import select

from okr_core.accounts import hash_token
from okr_core.models import ApiToken, User, utcnow
from okr_core.visibility import Viewer, make_viewer
from api.errors import ApiError
from plumbing.db import request_session

LAST_USED_GRANULARITY = timedelta(hours=1)


def authenticate() -> None:
    """Resolve the bearer token to an active user, or answer 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthenticated", "send Authorization: Bearer <token>")
    session = request_session()
    row = session.execute(
        select(ApiToken, User).join(User, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(token.strip()), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row.User.active:
        raise ApiError(401, "invalid_token", "the token is unknown, revoked or its user inactive")
    g.user = row.User
    g.viewer = make_viewer(session, row.User)
    _note_use(session, row.ApiToken)


def _note_use(session, token: ApiToken) -> None:
    """Record when a token was last used, at most hourly, so reads rarely take a write lock."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        token.last_used_at = now
        session.commit()


def current_viewer() -> Viewer:
    return g.viewer


def require_admin() -> None:
    if not g.viewer.is_admin:
        raise ApiError(403, "forbidden", "this needs the admin role")
