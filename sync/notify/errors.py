"""How a send failed: worth trying again later (and when), or not until someone fixes a setting."""
from __future__ import annotations


class SendFailed(Exception):
    """A message did not go out; `str()` is the clear message shown in /admin and the sync page."""

    transient = False

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class TransientSendFailure(SendFailed):
    """The server was unreachable, busy or rate-limited: try again after a back-off."""

    transient = True


class PermanentSendFailure(SendFailed):
    """A setting is wrong (revoked token, unknown channel, refused login): kept until fixed."""
