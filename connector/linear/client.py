"""gql over requests for Linear: one schema per process, GraphQL errors become connector errors."""
from __future__ import annotations

import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import requests
from gql import Client, GraphQLRequest
from gql.transport.exceptions import (
    TransportAlreadyConnected,
    TransportConnectionFailed,
    TransportProtocolError,
    TransportQueryError,
    TransportServerError,
)
from gql.transport.requests import RequestsHTTPTransport
from graphql import GraphQLSchema, build_ast_schema, parse

from connector.errors import (
    AuthenticationFailed,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    RequestRejected,
    TrackerUnavailable,
)
from connector.linear.queries import document
from connector.retry import RetryPolicy, call_with_retries

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")
# https://linear.app/developers/rate-limiting: reset headers are epoch milliseconds.
RESET_HEADERS = (
    ("X-RateLimit-Requests-Remaining", "X-RateLimit-Requests-Reset"),
    ("X-RateLimit-Complexity-Remaining", "X-RateLimit-Complexity-Reset"),
)


@lru_cache(maxsize=1)
def linear_schema() -> GraphQLSchema:
    """Linear's published schema, built once per process (about a second)."""
    return build_ast_schema(parse(SCHEMA_PATH.read_text(encoding="utf-8")))


def auth_header(credentials: dict) -> str:
    """Personal API keys go bare, OAuth tokens as Bearer (https://linear.app/developers/graphql)."""
    if credentials.get("api_key"):
        return credentials["api_key"]
    if credentials.get("oauth_token"):
        return f"Bearer {credentials['oauth_token']}"
    raise ValueError("Linear credentials need {api_key} or {oauth_token}")


class _ValidateOnceClient(Client):
    """gql Client that checks each distinct document against the schema once per process.

    Our documents are fixed module constants (queries.document caches them), so re-validating
    one on every page only costs time (about 9 ms a request against Linear's schema).
    """

    _validated: dict[int, object] = {}   # id -> the document itself, kept alive so ids stay unique

    def validate(self, request: GraphQLRequest) -> None:
        key = id(request.document)
        if key not in self._validated:
            super().validate(request)
            self._validated[key] = request.document


class _GivenSessionTransport(RequestsHTTPTransport):
    """RequestsHTTPTransport that uses a caller's requests.Session when one is given."""

    def __init__(self, url: str, given: requests.Session | None, **kwargs):
        super().__init__(url, **kwargs)
        self._given = given

    def connect(self):
        if self.session is not None:
            raise TransportAlreadyConnected("Transport is already connected")
        self.session = self._given or requests.Session()


def seconds_until_reset(headers, now_ms: float | None = None) -> float | None:
    """Wait named by the exhausted limit's reset header, else by the latest reset given."""
    now_ms = time.time() * 1000 if now_ms is None else now_ms
    resets = []
    for remaining_name, reset_name in RESET_HEADERS:
        reset = _number(headers.get(reset_name))
        if reset is None:
            continue
        if _number(headers.get(remaining_name)) == 0:
            return max((reset - now_ms) / 1000, 0.0)
        resets.append(reset)
    return max((max(resets) - now_ms) / 1000, 0.0) if resets else None


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class LinearGraphQL:
    """Executes a named document from queries.py with retries and returns its `data`."""

    def __init__(self, url: str, authorization: str, policy: RetryPolicy, timeout: float = 30.0,
                 session: requests.Session | None = None):
        self.url = url
        self.policy = policy
        self.transport = _GivenSessionTransport(
            url, session, headers={"Authorization": authorization}, timeout=timeout)
        self.client = _ValidateOnceClient(transport=self.transport, schema=linear_schema())
        self._session = self.client.connect_sync()

    def execute(self, operation: str, variables: dict | None = None, idempotent: bool = True) -> dict:
        """Run one operation; mutations that may have been applied are not retried on 5xx."""
        policy = self.policy if idempotent else replace(self.policy, retry_transient=False)
        return call_with_retries(lambda: self._execute_once(operation, variables or {}), policy)

    def close(self) -> None:
        """Close the gql session and its HTTP connections."""
        self.client.close_sync()

    def _execute_once(self, operation: str, variables: dict) -> dict:
        try:
            request = GraphQLRequest(document(operation), variable_values=variables, operation_name=operation)
            data = self._session.execute(request)
        except TransportQueryError as failed:
            raise self._query_error(operation, failed) from failed
        except TransportServerError as failed:
            raise _status_error(operation, failed.code, str(failed)) from failed
        except TransportConnectionFailed as lost:
            raise TrackerUnavailable(f"Linear {operation}: {lost}") from lost
        except TransportProtocolError as bad:
            raise MalformedResponse(f"Linear {operation} answered outside the GraphQL protocol: {bad}") from bad
        if not isinstance(data, dict):
            raise MalformedResponse(f"Linear {operation} answered without data")
        return data

    def _query_error(self, operation: str, failed: TransportQueryError) -> Exception:
        """Map Linear's error codes: https://linear.app/developers/graphql#errors."""
        errors = failed.errors or [{}]
        codes = {str((e.get("extensions") or {}).get("code", "")).upper() for e in errors}
        message = "; ".join(str(e.get("message", "")) for e in errors)
        if "RATELIMITED" in codes:
            wait = seconds_until_reset(self.transport.response_headers or {})
            return RateLimited(f"Linear rate limit on {operation}: {message}", wait)
        if "AUTHENTICATION_ERROR" in codes:
            return AuthenticationFailed(f"Linear rejected the credentials: {message}")
        if "FORBIDDEN" in codes:
            return PermissionDenied(f"Linear denied {operation}: {message}")
        if "not found" in message.lower():
            return NotFound(f"Linear {operation}: {message}")
        if "INTERNAL_SERVER_ERROR" in codes:
            return TrackerUnavailable(f"Linear {operation}: {message}")
        return RequestRejected(f"Linear rejected {operation}: {message}")


def _status_error(operation: str, status: int | None, detail: str) -> Exception:
    """Errors Linear sent without a GraphQL body, by HTTP status."""
    if status == 401:
        return AuthenticationFailed(f"Linear rejected the credentials (401): {detail}")
    if status == 403:
        return PermissionDenied(f"Linear denied {operation} (403): {detail}")
    if status == 429:
        return RateLimited(f"Linear rate limit on {operation} (429)")
    if status is None or status >= 500:
        return TrackerUnavailable(f"Linear {operation} failed ({status}): {detail}")
    return RequestRejected(f"Linear rejected {operation} ({status}): {detail}")


def data_at(data: dict, *path: str) -> Any:
    """data[path0][path1]...; MalformedResponse when a step is missing."""
    node: Any = data
    for step in path:
        if not isinstance(node, dict) or step not in node:
            raise MalformedResponse(f"Linear answer lacks {'.'.join(path)}")
        node = node[step]
    return node
