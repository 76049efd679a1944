"""A stored webhook delivery's life: its states and every transition between them, in one place.

    arrival --handled--> pending --applied--> done
            --not acted on--> ignored
    pending --attempt failed, retries left--> pending
            --attempt failed, retries used up--> failed --retried (admin, `okrsync sweep`)--> pending
"""
from __future__ import annotations

from datetime import datetime

from okr_core.domain import StrEnum
from okr_core.models import Delivery


class DeliveryState(StrEnum):
    PENDING = "pending"
    IGNORED = "ignored"
    DONE = "done"
    FAILED = "failed"


CLAIMABLE = (DeliveryState.PENDING.value, DeliveryState.FAILED.value)   # a worker may apply these


def is_claimable(row: Delivery) -> bool:
    return row.state in CLAIMABLE


def arrival_state(handled: bool) -> str:
    """The state a delivery is stored in: pending when okrsync acts on its event, else ignored."""
    return (DeliveryState.PENDING if handled else DeliveryState.IGNORED).value


def mark_done(row: Delivery, now: datetime) -> None:
    """The delivery was applied (this attempt counts)."""
    row.state, row.processed_at, row.last_error = DeliveryState.DONE.value, now, None
    row.attempts += 1


def mark_attempt_failed(row: Delivery, error: str, max_retries: int) -> None:
    """An attempt failed: pending while retries are left, failed once they are used up."""
    row.attempts += 1
    row.last_error = error[:4000]
    row.state = (DeliveryState.FAILED if row.attempts > max_retries else DeliveryState.PENDING).value


def mark_retried(row: Delivery) -> None:
    """A failed delivery gets a fresh round of attempts, to be handed over again."""
    row.state, row.attempts, row.enqueued_at = DeliveryState.PENDING.value, 0, None
