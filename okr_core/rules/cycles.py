"""What a cycle's status allows."""
from __future__ import annotations

from okr_core.domain import CycleStatus

# Scoring freezes the numbers at close; archived cycles stay reportable but never change.
READ_ONLY_STATUSES = frozenset({CycleStatus.CLOSED, CycleStatus.ARCHIVED})


class CycleClosed(Exception):
    """A write was attempted on a closed or archived cycle."""

    def __init__(self, status: CycleStatus) -> None:
        self.status = status
        super().__init__(f"the cycle is {status}: closed and archived cycles are read-only")


def is_cycle_writable(status: CycleStatus | str) -> bool:
    """True while the cycle is a draft or active."""
    return CycleStatus(status) not in READ_ONLY_STATUSES


def guard_cycle_writable(status: CycleStatus | str) -> None:
    """Raise CycleClosed unless the cycle may still change."""
    if not is_cycle_writable(status):
        raise CycleClosed(CycleStatus(status))


def same_cycle_name(first: str, second: str) -> bool:
    """Names that people would read as the same ("Q4 2025" and " q4  2025")."""
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()
