"""Why a webhook delivery was refused: each reason carries its HTTP status and a dotted log key."""
from __future__ import annotations

from okr_core.domain import TrackerKind


class DeliveryRejected(Exception):
    """A delivery the service refuses; `status` is the HTTP answer, `log_key` names the reason."""

    def __init__(self, status: int, log_key: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.log_key = log_key
        self.message = message


class _TrackerRejection(DeliveryRejected):
    """A rejection whose log key is `webhooks.<tracker>.<reason>`."""

    status: int = 400
    reason: str = "rejected"

    def __init__(self, tracker: TrackerKind, message: str) -> None:
        super().__init__(self.status, f"webhooks.{tracker}.{self.reason}", message)
        self.tracker = tracker


class SignatureMissing(_TrackerRejection):
    """A secret is configured but the delivery carries no signature."""

    status = 401
    reason = "signature-missing"


class SignatureMismatch(_TrackerRejection):
    """The signature does not match the HMAC of the raw body."""

    status = 401
    reason = "signature-mismatch"


class SecretNotConfigured(_TrackerRejection):
    """The delivery is signed but the connection has no secret to check it with."""

    status = 401
    reason = "secret-not-configured"


class StaleTimestamp(_TrackerRejection):
    """The signed body's timestamp is missing or too far from now (a possible replay)."""

    status = 401
    reason = "stale-timestamp"


class NotJSON(_TrackerRejection):
    """The body is not valid UTF-8 JSON."""

    status = 400
    reason = "not-json"


class NotAnObject(_TrackerRejection):
    """The body is JSON but not a JSON object."""

    status = 400
    reason = "not-an-object"


class BodyTooLarge(_TrackerRejection):
    """The body is over the size limit."""

    status = 413
    reason = "body-too-large"
