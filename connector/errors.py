"""Exceptions a connector raises; each name says what happened at the tracker."""
from __future__ import annotations


class TrackerError(Exception):
    """Base class of every connector failure."""


class AuthenticationFailed(TrackerError):
    """The tracker rejected the credentials (HTTP 401 or Linear AUTHENTICATION_ERROR)."""


class PermissionDenied(TrackerError):
    """The credentials work but lack a permission okrsync needs (HTTP 403 / FORBIDDEN)."""


class NotFound(TrackerError):
    """The item, project or path asked for does not exist (or is invisible to this account)."""


class RateLimited(TrackerError):
    """The tracker asked us to slow down; `retry_after` is the wait it named, in seconds."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class TrackerUnavailable(TrackerError):
    """A transient failure: 5xx, timeout, dropped connection or truncated transfer; `retry_after`
    is the wait the tracker named (Jira sends Retry-After with some 503s), in seconds."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class RetriesExhausted(TrackerError):
    """Retryable failures went on past the retry budget; `__cause__` is the last one."""


class MalformedResponse(TrackerError):
    """The tracker answered 2xx with a body that is not what its API documents."""


class RequestRejected(TrackerError):
    """The tracker refused the request as invalid (HTTP 400 / GraphQL validation error)."""
