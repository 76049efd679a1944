"""Verify the Forge Invocation Token (FIT) that Forge Remote sends with every call to okrsync.

https://developer.atlassian.com/platform/forge/remote/essentials/ : the FIT is an RS256 JWT signed
by Atlassian (keys published as a JWKS), issuer `forge/invocation-token`, audience the app's id;
`principal` is the Atlassian accountId of the user the call is made for (UI modules only);
`app.installationId` / `app.installation` say which installation (and which site, through each
installation context's `apiBaseUrl`) the call comes from; `app.environment.type` is DEVELOPMENT,
STAGING or PRODUCTION; `app.license` is present only for paid apps in production.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit

import jwt
from flask import current_app

FIT_ISSUER = "forge/invocation-token"
ATLASSIAN_JWKS_URL = "https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json"
JWKS_CACHE_SECONDS = 3600
ALGORITHMS = ["RS256"]  # never taken from the token: `none` and HMAC tricks fail here
# Clocks drift: accept nbf/iat up to 30 s in the future and exp up to 30 s past (RFC 7519 4.1.4
# allows "some small leeway"); a FIT lives about 25 s, so more would keep stale tokens alive.
CLOCK_SKEW_SECONDS = 30


def _user_agent() -> str:
    try:
        release = version("okrsync")
    except PackageNotFoundError:
        release = "dev"
    return f"okrsync/{release} (Forge Invocation Token check; JWKS fetch)"


class InvalidInvocationToken(Exception):
    """The token is missing, malformed, unsigned, expired or not meant for this app."""


@dataclass(frozen=True)
class Invocation:
    """What a verified FIT says: who calls, from which installation, site and environment.

    `context` is what the module was showing (issue, project); it never decides who may see what.
    """

    account_id: str | None
    app_id: str
    context: dict
    installation_id: str | None = None
    site_ids: frozenset[str] = field(default_factory=frozenset)
    environment_type: str | None = None
    license: dict | None = None


class ForgeTokenVerifier:
    """Checks FITs against a cached JWKS; one per app (the key cache lives here)."""

    def __init__(self, app_id: str, jwks_url: str = ATLASSIAN_JWKS_URL,
                 cache_seconds: int = JWKS_CACHE_SECONDS):
        if not app_id:
            raise ValueError("a Forge app id is needed to check the token's audience")
        self.app_id = app_id
        # pyjwt >= 2.14 refetches the key set for an unknown key id at most once per cooldown.
        self._keys = jwt.PyJWKClient(jwks_url, cache_jwk_set=True, lifespan=cache_seconds,
                                     timeout=10, headers={"User-Agent": _user_agent()})

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
                                leeway=CLOCK_SKEW_SECONDS,
                                options={"require": ["exp", "iss", "aud"]})
        except jwt.InvalidTokenError as exc:
            raise InvalidInvocationToken(str(exc)) from exc
        return _invocation(claims, self.app_id)


def _invocation(claims: dict, app_id: str) -> Invocation:
    """Read the claims Forge signs; the caller is `principal` alone (no context fallback)."""
    app = _mapping(claims.get("app"))
    installation = _mapping(app.get("installation"))
    installation_id = app.get("installationId") or installation.get("id")
    if installation.get("id") and installation.get("id") != installation_id:
        raise InvalidInvocationToken("the token names two different installations")
    principal = claims.get("principal")
    license_claim = app.get("license")
    return Invocation(
        account_id=principal if isinstance(principal, str) and principal else None,
        app_id=app_id, context=_mapping(claims.get("context")),
        installation_id=installation_id if isinstance(installation_id, str) else None,
        site_ids=installation_sites(app),
        environment_type=_text(_mapping(app.get("environment")).get("type")),
        license=license_claim if isinstance(license_claim, dict) else None)


def installation_sites(app: dict) -> frozenset[str]:
    """Cloud ids of the sites the installation lives on: from each installation context (its
    `apiBaseUrl`, `https://api.atlassian.com/ex/jira/<cloudId>`, or an `ari:...:site/<cloudId>`
    name) and from `app.apiBaseUrl`."""
    contexts = _mapping(app.get("installation")).get("contexts")
    sites = set()
    for context in contexts if isinstance(contexts, list) else []:
        context = _mapping(context)
        sites.update(filter(None, (_cloud_id_of_api_url(context.get("apiBaseUrl")),
                                   _cloud_id_of_ari(context.get("name")),
                                   _text(context.get("cloudId")))))
    base_site = _cloud_id_of_api_url(app.get("apiBaseUrl"))
    if base_site:
        sites.add(base_site)
    return frozenset(sites)


def _cloud_id_of_api_url(url) -> str | None:
    parts = [p for p in urlsplit(url).path.split("/") if p] if isinstance(url, str) else []
    return parts[2] if len(parts) >= 3 and parts[0] == "ex" else None


def _cloud_id_of_ari(name) -> str | None:
    if not isinstance(name, str) or not name.startswith("ari:cloud:"):
        return None
    resource = name.rpartition("::")[2]
    kind, _, ident = resource.partition("/")
    return (ident or None) if kind == "site" else None


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


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
