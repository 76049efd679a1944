"""Verify the Forge Invocation Token (FIT) that Forge Remote sends with every call to okrsync.

https://developer.atlassian.com/platform/forge/remote/essentials/ : the FIT is an RS256 JWT signed
by Atlassian (keys published as a JWKS), issuer `forge/invocation-token`, audience the app's id;
`principal` is the Atlassian accountId of the user the call is made for.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import jwt
from flask import current_app

FIT_ISSUER = "forge/invocation-token"
ATLASSIAN_JWKS_URL = "https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json"
JWKS_CACHE_SECONDS = 3600
ALGORITHMS = ["RS256"]  # never taken from the token: `none` and HMAC tricks fail here


class InvalidInvocationToken(Exception):
    """The token is missing, malformed, unsigned, expired or not meant for this app."""


@dataclass(frozen=True)
class Invocation:
    """What a verified FIT says: who calls, from which app, in which context."""

    account_id: str | None
    app_id: str
    context: dict


class ForgeTokenVerifier:
    """Checks FITs against a cached JWKS; one per app (the key cache lives here)."""

    def __init__(self, app_id: str, jwks_url: str = ATLASSIAN_JWKS_URL,
                 cache_seconds: int = JWKS_CACHE_SECONDS):
        if not app_id:
            raise ValueError("a Forge app id is needed to check the token's audience")
        self.app_id = app_id
        self._keys = jwt.PyJWKClient(jwks_url, cache_jwk_set=True, lifespan=cache_seconds,
                                     timeout=10)

    def verify(self, token: str) -> Invocation:
        """The verified invocation, or InvalidInvocationToken saying why not."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise InvalidInvocationToken(f"not a JWT: {exc}") from exc
        if header.get("alg") not in ALGORITHMS:
            raise InvalidInvocationToken(f"algorithm {header.get('alg')!r} is not RS256")
        if not header.get("kid"):
            raise InvalidInvocationToken("the token names no signing key")
        try:
            signing_key = self._keys.get_signing_key(header["kid"])
        except jwt.PyJWKClientError as exc:
            raise InvalidInvocationToken(f"signing key unavailable: {exc}") from exc
        try:
            claims = jwt.decode(token, signing_key.key, algorithms=ALGORITHMS,
                                audience=self.app_id, issuer=FIT_ISSUER,
                                options={"require": ["exp", "iss", "aud"]})
        except jwt.InvalidTokenError as exc:
            raise InvalidInvocationToken(str(exc)) from exc
        return _invocation(claims, self.app_id)


def _invocation(claims: dict, app_id: str) -> Invocation:
    context = claims.get("context") if isinstance(claims.get("context"), dict) else {}
    account_id = claims.get("principal") or context.get("accountId")
    return Invocation(account_id if isinstance(account_id, str) else None, app_id, context)


def forge_app_id() -> str | None:
    """The configured app id (`OKRSYNC_FORGE_APP_ID`; tests may set FORGE_APP_ID in config)."""
    return current_app.config.get("FORGE_APP_ID") or os.environ.get("OKRSYNC_FORGE_APP_ID")


def forge_verifier() -> ForgeTokenVerifier | None:
    """The app's verifier, built on first use; None when no Forge app is configured."""
    app_id = forge_app_id()
    if not app_id:
        return None
    verifier = current_app.extensions.get("okrsync.forge_verifier")
    if verifier is None or verifier.app_id != app_id:
        jwks_url = (current_app.config.get("FORGE_JWKS_URL")
                    or os.environ.get("OKRSYNC_FORGE_JWKS_URL") or ATLASSIAN_JWKS_URL)
        verifier = ForgeTokenVerifier(app_id, jwks_url)
        current_app.extensions["okrsync.forge_verifier"] = verifier
    return verifier


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, else None."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None
