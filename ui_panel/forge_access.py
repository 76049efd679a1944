"""Who may be served a Forge call, decided from the FIT's `principal`, `app.installation`,
`app.environment` and `app.license` claims only (never from what the page sends).

Each refusal is a ForgeRefusal with an HTTP status, a stable code the Custom UI turns into words,
and a message. https://developer.atlassian.com/platform/forge/remote/essentials/ reserves 401 for
a token that fails validation; `invokeRemote` resolves other non-2xx answers that carry a JSON
body (https://developer.atlassian.com/platform/forge/apis-reference/ui-api-bridge/invokeRemote/),
so every other refusal is a 403/503 with `{"error": {"code", "message"}}`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from flask import current_app, g, request
from sqlalchemy import select

from okr_core.models import User
from okr_core.visibility import Viewer, make_viewer
from plumbing.db import request_session
from ui_panel.forge_auth import InvalidInvocationToken, Invocation, bearer_token, forge_verifier
from ui_panel.forge_sites import site_connection_ids

DEFAULT_ENVIRONMENTS = ("PRODUCTION",)


class ForgeRefusal(Exception):
    """A Forge call okrsync will not serve, and why (status, code, message)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class ForgeCaller:
    """A verified call okrsync serves: the token, the okrsync user, the site's connections."""

    invocation: Invocation
    user: User
    viewer: Viewer
    connection_ids: list[int]


def forge_caller() -> ForgeCaller:
    """The verified caller of this request, or ForgeRefusal saying why not."""
    invocation = verified_invocation()
    _check_environment(invocation)
    _check_license(invocation)
    session = request_session()
    connection_ids = site_connection_ids(session, invocation)
    if not connection_ids:
        raise ForgeRefusal(403, "site_not_connected",
                           "This Jira site is not connected to okrsync.")
    user = _linked_user(invocation)
    g.panel_user = user
    return ForgeCaller(invocation, user, make_viewer(session, user), connection_ids)


def verified_invocation() -> Invocation:
    """The request's verified FIT: 503 when no Forge app is configured, 401 when absent/invalid."""
    verifier = forge_verifier()
    if verifier is None:
        current_app.logger.warning("panel.forge.not-configured: OKRSYNC_FORGE_APP_ID is unset")
        raise ForgeRefusal(503, "forge_not_configured", "okrsync is not set up for this Jira app.")
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        raise ForgeRefusal(401, "invalid_token", "The call carries no Forge Invocation Token.")
    try:
        return verifier.verify(token)
    except InvalidInvocationToken as exc:
        current_app.logger.warning("panel.forge.invalid-token: %s", exc)
        raise ForgeRefusal(401, "invalid_token", "The Forge Invocation Token is not valid.") from exc


def allowed_environments() -> set[str]:
    """Forge environment types served (`OKRSYNC_FORGE_ENVIRONMENTS`, default PRODUCTION only):
    development and staging installs see production data only when listed here."""
    configured = (current_app.config.get("FORGE_ENVIRONMENTS")
                  or os.environ.get("OKRSYNC_FORGE_ENVIRONMENTS") or ",".join(DEFAULT_ENVIRONMENTS))
    if isinstance(configured, str):
        configured = configured.split(",")
    return {name.strip().upper() for name in configured if name.strip()}


def _check_environment(invocation: Invocation) -> None:
    environment = (invocation.environment_type or "").upper()
    if environment not in allowed_environments():
        raise ForgeRefusal(403, "environment_not_allowed",
                           f"okrsync does not serve the app's {environment.lower() or 'unnamed'} "
                           "environment.")


def _check_license(invocation: Invocation) -> None:
    """`app.license` is only present for paid apps in production; an inactive one is refused."""
    if invocation.license is not None and invocation.license.get("isActive") is False:
        raise ForgeRefusal(403, "license_inactive", "The app's licence on this site is not active.")


def _linked_user(invocation: Invocation) -> User:
    if invocation.account_id is None:
        raise ForgeRefusal(403, "no_principal", "The call was not made for a Jira user.")
    user = request_session().scalar(select(User).where(
        User.jira_account_id == invocation.account_id, User.active.is_(True)))
    if user is None:
        raise ForgeRefusal(403, "not_linked",
                           "Your Atlassian account is not linked to an okrsync user.")
    return user
