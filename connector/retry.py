"""Bounded retries for transient tracker failures, honouring the tracker's own wait hints."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, TypeVar

from tenacity import RetryCallState, RetryError, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from connector.errors import RateLimited, RetriesExhausted, TrackerUnavailable

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry; `sleep` is injectable so tests never wait."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep)
    retry_transient: bool = True    # False for non-idempotent writes: only 429s are retried

    @classmethod
    def from_settings(cls, settings: dict, sleep: Callable[[float], None] | None = None) -> "RetryPolicy":
        """Build a policy from connection settings (`max_attempts`, `retry_base_delay`)."""
        return cls(
            max_attempts=int(settings.get("max_attempts", cls.max_attempts)),
            base_delay=float(settings.get("retry_base_delay", cls.base_delay)),
            max_delay=float(settings.get("retry_max_delay", cls.max_delay)),
            sleep=sleep or time.sleep,
        )


def _wait_for(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    """Wait what the tracker asked for (429, or a 503 with Retry-After), else exponential
    back-off with full jitter."""
    backoff = wait_random_exponential(multiplier=policy.base_delay, max=policy.max_delay)

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, (RateLimited, TrackerUnavailable)) and error.retry_after is not None:
            return min(max(error.retry_after, 0.0), policy.max_delay)
        return backoff(state)

    return wait


def call_with_retries(operation: Callable[[], T], policy: RetryPolicy) -> T:
    """Run `operation`, retrying RateLimited and TrackerUnavailable; RetriesExhausted when spent."""
    retrying = Retrying(
        retry=retry_if_exception_type(
            (RateLimited, TrackerUnavailable) if policy.retry_transient else RateLimited
        ),
        stop=stop_after_attempt(policy.max_attempts),
        wait=_wait_for(policy),
        sleep=policy.sleep,
    )
    try:
        return retrying(operation)
    except RetryError as spent:
        last = spent.last_attempt.exception()
        raise RetriesExhausted(
            f"gave up after {policy.max_attempts} attempts; last error: {last}"
        ) from last
