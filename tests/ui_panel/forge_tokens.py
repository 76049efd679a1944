"""A local stand-in for Atlassian's FIT signer: an RSA key, its JWKS served over HTTP, tokens."""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

APP_ID = "ari:cloud:ecosystem::app/0b9c6d1e-5a2f-4c55-9d8e-okrsync-test"
KID = "forge-test-key-1"
SITE = "cloud-1"  # the cloud id of the demo's Jira site in these tests
SITE_URL = "https://northwind-demo.atlassian.net"
INSTALLATION = "ari:cloud:ecosystem::installation/1"


class ForgeSigner:
    """Signs FITs the way Forge does (RS256, kid header) with a key generated for the test."""

    def __init__(self, kid: str = KID):
        self.kid = kid
        self.jwks_user_agents: list[str] = []  # the User-Agent of each JWKS fetch served
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [jwk]}

    def claims(self, account_id: str | None = "5b10ac8d82e05b22cc7d4ef5", *, site: str = SITE,
               environment: str = "PRODUCTION", installation: str = INSTALLATION,
               site_url: str = SITE_URL, **overrides) -> dict:
        """The claims Forge puts in a FIT for a Jira UI module (remote/essentials, "The Forge
        Invocation Token (FIT)"): the installation on `site`, in `environment`."""
        now = int(time.time())
        api_base = f"https://api.atlassian.com/ex/jira/{site}"
        claims = {"iss": "forge/invocation-token", "aud": APP_ID, "iat": now, "nbf": now,
                  "exp": now + 25, "jti": f"jti-{now}", "principal": account_id,
                  "app": {"id": APP_ID, "installationId": installation, "apiBaseUrl": api_base,
                          "appVersion": "1.0.0",
                          "environment": {"type": environment,
                                          "id": f"ari:cloud:ecosystem::environment/{environment}"},
                          "module": {"type": "jira:issuePanel", "key": "okrsync-issue-panel"},
                          "installation": {"id": installation, "contexts": [
                              {"name": f"ari:cloud:jira::site/{site}", "apiBaseUrl": api_base}]}},
                  "context": {"cloudId": site, "siteUrl": site_url,
                              "extension": {"type": "jira:issuePanel"}}}
        if account_id is None:
            del claims["principal"]
        claims.update(overrides)
        return claims

    def token(self, claims: dict | None = None, kid: str | None = None) -> str:
        return jwt.encode(claims or self.claims(), self.private_key, algorithm="RS256",
                          headers={"kid": kid or self.kid})


class QuietHandler(WSGIRequestHandler):
    """No access log: the app's log filter reads the store, which the caller may have locked."""

    def log_request(self, *args, **kwargs) -> None:
        return None


@contextmanager
def serve_jwks(signer: ForgeSigner):
    """Serve the signer's JWKS on a local port; yields its URL and a list of request paths."""
    hits: list[str] = []

    @Request.application
    def app(request):
        hits.append(request.path)
        signer.jwks_user_agents.append(request.headers.get("User-Agent", ""))
        return Response(json.dumps(signer.jwks()), content_type="application/json")

    server = make_server("127.0.0.1", 0, app, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json", hits
    finally:
        server.shutdown()
        thread.join(5)
