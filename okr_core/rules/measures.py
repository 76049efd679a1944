"""A key result's current value from the tracker work linked to it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, Sequence, TypeVar

from okr_core.domain import Measure, StatusCategory


class CountableItem(Protocol):
    """What counting needs of a linked item: a domain work item, or a row holding just these."""

    @property
    def external_id(self) -> str: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def status_category(self) -> StatusCategory: ...
    @property
    def estimate(self) -> float | None: ...
    @property
    def deleted(self) -> bool: ...


Item = TypeVar("Item", bound=CountableItem)


@dataclass(frozen=True)
class ItemCounts:
    """How much linked work there is and how much of it is done (canceled and deleted excluded)."""

    items_total: int
    items_done: int
    points_total: float
    points_done: float


def unique_live_items(items: Sequence[Item]) -> list[Item]:
    """Linked items once each by external_id, the newest mirror winning, deleted ones dropped."""
    # An issue matched by two links (an epic and a JQL query) must not count twice; when the
    # copies differ, the one with the latest tracker updated-at is the truest state.
    newest: dict[str, Item] = {}
    for item in items:
        seen = newest.get(item.external_id)
        if seen is None or item.updated_at > seen.updated_at:
            newest[item.external_id] = item
    return [item for item in newest.values() if not item.deleted]


def item_estimate(item: CountableItem, default_estimate: float) -> float:
    """The item's size in points; unestimated items count as the team's default size."""
    return default_estimate if item.estimate is None else item.estimate


def item_counts(items: Sequence[CountableItem], *, default_estimate: float = 1.0) -> ItemCounts:
    """Count linked items and points, total and done, ignoring canceled and deleted work."""
    _check_default_estimate(default_estimate)
    countable = [
        item for item in unique_live_items(items)
        if item.status_category is not StatusCategory.CANCELED
    ]
    done = [item for item in countable if item.status_category is StatusCategory.DONE]
    return ItemCounts(
        items_total=len(countable),
        items_done=len(done),
        points_total=sum(item_estimate(item, default_estimate) for item in countable),
        points_done=sum(item_estimate(item, default_estimate) for item in done),
    )


@dataclass(frozen=True)
class WorkTotals:
    """Linked work summed up the way a KR's value reads it (each item once, deleted ones dropped)."""

    counts: ItemCounts
    items_live: int    # items not deleted, canceled ones included
    items_open: int    # of those, neither done nor canceled


def work_totals(items: Sequence[CountableItem], *, default_estimate: float = 1.0) -> WorkTotals:
    """The totals of these linked items (the store sums the same in SQL: okr_core.recount_facts)."""
    live = unique_live_items(items)
    closed = (StatusCategory.DONE, StatusCategory.CANCELED)
    return WorkTotals(item_counts(live, default_estimate=default_estimate), len(live),
                      sum(1 for item in live if item.status_category not in closed))


def measure_value(
    measure: Measure,
    items: Sequence[CountableItem],
    *,
    default_estimate: float = 1.0,
    manual_value: float | None = None,
) -> float | None:
    """The KR's current value under its measure; None while there is nothing to measure yet.

    Ratio measures are percentages (0-100), the way people write "100% of the migration done".
    No linked work counted yet gives None for every linked measure: the KR is "not started".
    """
    if Measure(measure) is Measure.MANUAL:
        return manual_value
    return totals_value(measure, work_totals(items, default_estimate=default_estimate))


def totals_value(measure: Measure, totals: WorkTotals) -> float | None:
    """`measure_value` of linked work already summed up (a linked measure, not MANUAL)."""
    measure, counts = Measure(measure), totals.counts
    if measure is Measure.ITEM_COUNT:
        # Items still open: a KR that goes down (open P1 bugs) counts what is left to fix.
        return float(totals.items_open) if totals.items_live else None
    if measure is Measure.DONE_COUNT:
        return float(counts.items_done) if counts.items_total else None
    if measure is Measure.WORK_DONE_RATIO:
        return _percent(counts.items_done, counts.items_total)
    return _percent(counts.points_done, counts.points_total)


def _percent(done: float, total: float) -> float | None:
    """100 * done / total, or None when there is nothing to divide by (no countable work yet)."""
    return None if total == 0 else 100.0 * done / total


def _check_default_estimate(default_estimate: float) -> None:
    """Refuse a negative default size, which would make progress run backwards."""
    if default_estimate < 0:
        raise ValueError(f"default_estimate must be >= 0, got {default_estimate}")
