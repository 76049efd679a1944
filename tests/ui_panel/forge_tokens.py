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


class ForgeSigner:
    """Signs FITs the way Forge does (RS256, kid header) with a key generated for the test."""

    def __init__(self, kid: str = KID):
        self.kid = kid
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [jwk]}

    def claims(self, account_id: str | None = "5b10ac8d82e05b22cc7d4ef5", **overrides) -> dict:
        now = int(time.time())
        claims = {"iss": "forge/invocation-token", "aud": APP_ID, "iat": now, "nbf": now,
                  "exp": now + 300, "principal": account_id,
                  "app": {"id": APP_ID, "installationId": "ari:cloud:ecosystem::installation/1"},
                  "context": {"cloudId": "cloud-1", "extension": {"type": "jira:issuePanel"}}}
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
        return Response(json.dumps(signer.jwks()), content_type="application/json")

    server = make_server("127.0.0.1", 0, app, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json", hits
    finally:
        server.shutdown()
        thread.join(5)
