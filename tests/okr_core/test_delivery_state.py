"""Every transition of a stored delivery goes through okr_core.delivery_state."""
from __future__ import annotations

from datetime import datetime, timezone

from okr_core.delivery_state import (
    DeliveryState, arrival_state, is_claimable, mark_attempt_failed, mark_done, mark_retried,
)
from okr_core.models import Delivery

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def stored(handled: bool = True) -> Delivery:
    return Delivery(state=arrival_state(handled), attempts=0, enqueued_at=NOW)


def test_a_delivery_okrsync_acts_on_arrives_pending_and_any_other_ignored():
    assert stored(True).state == DeliveryState.PENDING and is_claimable(stored(True))
    assert stored(False).state == DeliveryState.IGNORED and not is_claimable(stored(False))


def test_failed_attempts_stay_pending_until_the_retries_are_used_up():
    row = stored()
    for _ in range(3):
        mark_attempt_failed(row, "TrackerError: 502", max_retries=3)
        assert row.state == DeliveryState.PENDING
    mark_attempt_failed(row, "TrackerError: 502", max_retries=3)
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.FAILED, 4, "TrackerError: 502")
    assert is_claimable(row)   # a worker may still apply a failed one (the admin's retry)


def test_a_retried_delivery_starts_a_fresh_round_and_waits_to_be_handed_over():
    row = stored()
    mark_attempt_failed(row, "x" * 5000, max_retries=0)
    assert row.state == DeliveryState.FAILED and len(row.last_error) == 4000
    mark_retried(row)
    assert (row.state, row.attempts, row.enqueued_at) == (DeliveryState.PENDING, 0, None)


def test_an_applied_delivery_is_done_with_its_error_cleared():
    row = stored()
    mark_attempt_failed(row, "boom", max_retries=3)
    mark_done(row, NOW)
    assert (row.state, row.processed_at, row.last_error, row.attempts) == (
        DeliveryState.DONE, NOW, None, 2)
    assert not is_claimable(row)
