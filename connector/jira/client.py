"""Thin HTTP layer over the `jira` library's session: status codes become connector errors."""
from __future__ import annotations

from dataclasses import replace
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Any

import requests
from jira import JIRA, JIRAError
from jira.resilientsession import ResilientSession

from connector.errors import (
    AuthenticationFailed,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    RequestRejected,
    TrackerUnavailable,
)
from connector.retry import RetryPolicy, call_with_retries

TRANSPORT_ERRORS = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


def open_session(base_url: str, credentials: dict, session: requests.Session | None,
                 timeout: float = 30.0) -> requests.Session:
    """A session authenticated as Cloud basic (email + API token) or Data Center bearer (PAT)."""
    pat = credentials.get("personal_access_token")
    email, token = credentials.get("email"), credentials.get("api_token")
    if not pat and not (email and token):
        raise ValueError("Jira credentials need {email, api_token} or {personal_access_token}")
    if session is not None:
        if pat:
            session.headers["Authorization"] = f"Bearer {pat}"
        else:
            session.auth = (email, token)
        session.headers.setdefault("Accept", "application/json")
        return session
    # max_retries=0: retrying is ours (RetryPolicy), so the library's own loop must not sleep too.
    auth = {"token_auth": pat} if pat else {"basic_auth": (email, token)}
    client = JIRA(server=base_url, get_server_info=False, max_retries=0, timeout=timeout, **auth)
    return client._session


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return max((parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def _error_text(response: requests.Response) -> str:
    """Jira's errorMessages / errors joined, or the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if not isinstance(body, dict):
        return str(body)[:200]
    messages = list(body.get("errorMessages") or []) + [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
    return "; ".join(messages) or response.text[:200]


def raise_for_status(response: requests.Response) -> None:
    """Turn a non-2xx Jira answer into the connector error that names it."""
    status, where = response.status_code, f"{response.request.method} {response.url}"
    if status < 400:
        return
    detail = _error_text(response)
    if status == 401:
        raise AuthenticationFailed(f"Jira rejected the credentials (401) at {where}: {detail}")
    if status == 403:
        raise PermissionDenied(f"Jira denied {where} (403): {detail}")
    if status == 404:
        raise NotFound(f"Jira found nothing at {where} (404): {detail}")
    if status == 429:
        # https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
        raise RateLimited(f"Jira rate limit at {where}", parse_retry_after(response.headers.get("Retry-After")))
    if status >= 500:
        # "Some transient 5XX errors are accompanied by a Retry-After header ... a 503 response may
        # be returned when a resource limit has been reached" (the rate-limiting page above).
        raise TrackerUnavailable(f"Jira answered {status} to {where}: {detail}",
                                 parse_retry_after(response.headers.get("Retry-After")))
    raise RequestRejected(f"Jira rejected {where} ({status}): {detail}")


class JiraHttp:
    """Sends one REST call with retries and returns the decoded JSON (None for 204)."""

    def __init__(self, base_url: str, session: requests.Session, policy: RetryPolicy, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.policy = policy
        # The library's ResilientSession applies its own timeout and refuses a second one.
        self._timeout = {} if isinstance(session, ResilientSession) else {"timeout": timeout}

    def call(self, method: str, path: str, *, params: dict | None = None, json: Any = None,
             idempotent: bool = True) -> Any:
        """Call `path`; non-idempotent calls retry only 429s, which Jira did not process."""
        policy = self.policy if idempotent else replace(self.policy, retry_transient=False)
        return call_with_retries(lambda: self._call_once(method, path, params, json), policy)

    def _call_once(self, method: str, path: str, params: dict | None, json: Any) -> Any:
        response = self._send(method, self.base_url + path, params=params, json=json)
        raise_for_status(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as bad:
            raise MalformedResponse(f"Jira sent a body that is not JSON for {method} {path}: {bad}") from bad

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            return self.session.request(method, url, **self._timeout, **kwargs)
        except JIRAError as refused:  # the library's session raises on non-2xx; we map it ourselves
            if refused.response is None:
                raise TrackerUnavailable(f"Jira gave no response to {method} {url}") from refused
            return refused.response
        except TRANSPORT_ERRORS as lost:
            raise TrackerUnavailable(f"{type(lost).__name__} on {method} {url}: {lost}") from lost

