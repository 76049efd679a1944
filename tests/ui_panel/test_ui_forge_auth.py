"""Forge Invocation Token checks against a locally generated key and a locally served JWKS."""
from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from ui_panel.forge_auth import (ForgeTokenVerifier, InvalidInvocationToken, bearer_token,
                                  installation_sites)
from tests.ui_panel.forge_tokens import APP_ID, INSTALLATION, SITE, ForgeSigner, serve_jwks


@pytest.fixture(scope="module")
def signer():
    return ForgeSigner()


@pytest.fixture(scope="module")
def jwks(signer):
    with serve_jwks(signer) as served:
        yield served


@pytest.fixture
def verifier(jwks):
    return ForgeTokenVerifier(APP_ID, jwks[0])


def test_a_valid_token_gives_the_account_installation_site_and_environment(signer, verifier):
    invocation = verifier.verify(signer.token())
    assert invocation.account_id == "5b10ac8d82e05b22cc7d4ef5"
    assert invocation.installation_id == INSTALLATION
    assert invocation.site_ids == {SITE} and invocation.environment_type == "PRODUCTION"
    assert invocation.license is None


def test_the_account_is_the_principal_only(signer, verifier):
    claims = signer.claims(None)
    claims["context"]["accountId"] = "someone-from-the-page"
    assert verifier.verify(signer.token(claims)).account_id is None


def test_two_different_installation_ids_are_refused(signer, verifier):
    claims = signer.claims()
    claims["app"]["installation"]["id"] = "ari:cloud:ecosystem::installation/other"
    with pytest.raises(InvalidInvocationToken, match="two different installations"):
        verifier.verify(signer.token(claims))


def test_installation_sites_come_from_the_installation_claims():
    app = {"apiBaseUrl": "https://api.atlassian.com/ex/jira/aaa",
           "installation": {"contexts": [
               {"name": "ari:cloud:jira::site/bbb", "apiBaseUrl": "https://api.atlassian.com/ex/jira/ccc"},
               {"name": "not-an-ari"}, "junk"]}}
    assert installation_sites(app) == {"aaa", "bbb", "ccc"}
    assert installation_sites({"apiBaseUrl": "https://api.atlassian.com/"}) == frozenset()
    assert installation_sites({"installation": {"contexts": "nope"}}) == frozenset()


def test_the_key_set_is_fetched_with_an_explicit_user_agent(signer, jwks):
    ForgeTokenVerifier(APP_ID, jwks[0]).verify(signer.token())
    assert signer.jwks_user_agents[-1].startswith("okrsync/")


def test_the_key_set_is_fetched_once_and_cached(signer, jwks):
    url, hits = jwks
    verifier = ForgeTokenVerifier(APP_ID, url)
    before = len(hits)
    for _ in range(3):
        verifier.verify(signer.token())
    assert len(hits) - before == 1


def test_an_expired_token_is_refused(signer, verifier):
    past = int(time.time()) - 600
    with pytest.raises(InvalidInvocationToken, match="expired"):
        verifier.verify(signer.token(signer.claims(iat=past - 60, nbf=past - 60, exp=past)))


def test_a_token_for_another_app_is_refused(signer, verifier):
    with pytest.raises(InvalidInvocationToken, match="[Aa]udience"):
        verifier.verify(signer.token(signer.claims(aud="ari:cloud:ecosystem::app/someone-else")))


def test_a_token_from_another_issuer_is_refused(signer, verifier):
    with pytest.raises(InvalidInvocationToken, match="[Ii]ssuer"):
        verifier.verify(signer.token(signer.claims(iss="someone/else")))


def test_an_unsigned_alg_none_token_is_refused(signer, verifier):
    unsigned = jwt.encode(signer.claims(), None, algorithm="none", headers={"kid": signer.kid})
    with pytest.raises(InvalidInvocationToken, match="not RS256"):
        verifier.verify(unsigned)


def test_an_hmac_token_signed_with_the_public_key_is_refused(signer, verifier):
    forged = _segments(signer.token())
    forged[0] = _b64({"alg": "HS256", "typ": "JWT", "kid": signer.kid})
    with pytest.raises(InvalidInvocationToken, match="not RS256"):
        verifier.verify(".".join(forged))


def test_an_unknown_key_id_is_refused(signer, verifier):
    stranger = ForgeSigner(kid="not-in-the-jwks")
    with pytest.raises(InvalidInvocationToken, match="signing key"):
        verifier.verify(stranger.token())


def test_a_tampered_payload_is_refused(signer, verifier):
    parts = _segments(signer.token())
    claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=="))
    claims["principal"] = "someone-with-more-rights"
    parts[1] = _b64(claims)
    with pytest.raises(InvalidInvocationToken, match="[Ss]ignature"):
        verifier.verify(".".join(parts))


def test_garbage_is_refused(verifier):
    with pytest.raises(InvalidInvocationToken):
        verifier.verify("not-a-jwt")


def test_bearer_header_parsing():
    assert bearer_token("Bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic dXNlcg==") is None
    assert bearer_token("Bearer ") is None
    assert bearer_token(None) is None


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
