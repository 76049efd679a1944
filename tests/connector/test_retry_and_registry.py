"""Retry policy and registry behaviour that does not need HTTP."""
from __future__ import annotations

from dataclasses import replace

import pytest

from connector.errors import RateLimited, RetriesExhausted, TrackerUnavailable
from connector.registry import CONNECTORS, build_connector
from connector.retry import RetryPolicy, call_with_retries
from okr_core.domain import TrackerKind


def _failing(*errors):
    remaining = list(errors)

    def operation():
        if remaining:
            raise remaining.pop(0)
        return "ok"

    return operation


def test_rate_limit_wait_is_capped_at_the_policy_maximum():
    sleeps = []
    policy = RetryPolicy(max_attempts=3, max_delay=10, sleep=sleeps.append)
    assert call_with_retries(_failing(RateLimited("slow", retry_after=3600)), policy) == "ok"
    assert sleeps == [10]


def test_non_idempotent_policy_does_not_retry_transient_failures_but_does_retry_429():
    sleeps = []
    policy = replace(RetryPolicy(sleep=sleeps.append), retry_transient=False)
    with pytest.raises(TrackerUnavailable):
        call_with_retries(_failing(TrackerUnavailable("503")), policy)
    assert call_with_retries(_failing(RateLimited("slow", retry_after=2)), policy) == "ok"
    assert sleeps == [2]


def test_exhausted_retries_keep_the_last_error_as_cause():
    policy = RetryPolicy(max_attempts=2, sleep=lambda _: None)
    with pytest.raises(RetriesExhausted) as raised:
        call_with_retries(_failing(TrackerUnavailable("a"), TrackerUnavailable("b")), policy)
    assert str(raised.value.__cause__) == "b"


def test_registry_has_one_connector_per_tracker_kind():
    assert set(CONNECTORS) == set(TrackerKind)


def test_unknown_tracker_kind_is_a_clear_value_error():
    with pytest.raises(ValueError, match="unknown tracker kind 'github'"):
        build_connector("github", "https://x", {}, {})


@pytest.mark.parametrize("kind, credentials", [("jira", {"email": "only-email"}), ("linear", {"token": "x"})])
def test_incomplete_credentials_are_refused_at_build_time(kind, credentials):
    with pytest.raises(ValueError, match="credentials need"):
        build_connector(kind, "https://x", credentials, {})
