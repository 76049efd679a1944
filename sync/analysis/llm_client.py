"""The one LLM client: openai's client sending through an outbound-checked, address-pinned session.

The analysis narrative and the admin's test call both use it, so the same SSRF rules apply to
both, redirects and the connect-time address check included (config.urlsafety).
"""
from __future__ import annotations

from typing import Iterable

import httpx2
import openai
import requests

from config.urlsafety import UnsafeURL, safe_session


class RequestsTransport(httpx2.BaseTransport):
    """Sends the openai client's requests through a checked `requests` session (SSRF rules apply).

    The same session type as tracker calls: one outbound check, and one HTTP layer to mock in tests.
    """

    def __init__(self, session: requests.Session):
        self._session = session

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send one request; timeouts and refused or failed connections map to httpx2's errors."""
        timeout = request.extensions.get("timeout", {})
        try:
            answer = self._session.request(
                request.method, str(request.url), headers=dict(request.headers),
                data=request.read(), allow_redirects=False,
                timeout=(timeout.get("connect"), timeout.get("read")))
        except requests.Timeout as exc:
            raise httpx2.ReadTimeout(str(exc), request=request) from exc
        except (requests.ConnectionError, UnsafeURL) as exc:
            raise httpx2.ConnectError(str(exc), request=request) from exc
        # requests has already decoded the body, so its encoding headers no longer apply.
        headers = [(k, v) for k, v in answer.headers.items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx2.Response(answer.status_code, headers=headers, content=answer.content,
                               request=request)


def pinned_llm_client(api_key: str | None, base_url: str | None, allowlist: Iterable[str],
                      timeout: float, max_retries: int) -> openai.OpenAI:
    """An OpenAI-compatible client whose every request goes through a checked, pinned session."""
    transport = RequestsTransport(safe_session(tuple(allowlist)))
    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout,
                         max_retries=max_retries, http_client=httpx2.Client(transport=transport))


def refusal_behind(error: BaseException) -> UnsafeURL | None:
    """The outbound refusal that caused a client error, however deeply it is wrapped."""
    while error is not None:
        if isinstance(error, UnsafeURL):
            return error
        error = error.__cause__
    return None
