"""Measures: a key result's current value from its linked work items."""
from datetime import datetime

import pytest

from okr_core.domain import Measure, StatusCategory, WorkItem
from okr_core.rules import ItemCounts, item_counts, measure_value

T0 = datetime(2026, 11, 2, 9, 0)
T1 = datetime(2026, 11, 3, 9, 0)
TODO, DOING, DONE, CANCELED = (
    StatusCategory.TODO, StatusCategory.IN_PROGRESS, StatusCategory.DONE, StatusCategory.CANCELED)


def item(external_id, status, estimate=None, *, deleted=False, updated_at=T0):
    """A work item with only the fields the measures read."""
    return WorkItem(external_id=external_id, key=f"OKR-{external_id}",
                    title=f"issue {external_id}", status_category=status,
                    updated_at=updated_at, estimate=estimate, deleted=deleted)


MIXED = [item("1", DONE, 3), item("2", DONE, None), item("3", DOING, 5), item("4", TODO, 2),
         item("5", CANCELED, 8)]


@pytest.mark.parametrize("measure, items, kwargs, expected", [
    pytest.param(Measure.WORK_DONE_RATIO, MIXED, {}, 50.0, id="work-ratio-percent-excludes-canceled"),
    pytest.param(Measure.POINTS_DONE_RATIO, MIXED, {}, 400 / 11, id="points-ratio-percent-default-size-1"),
    pytest.param(Measure.POINTS_DONE_RATIO, MIXED, {"default_estimate": 5.0}, 800 / 15,
                 id="points-ratio-team-default-size"),
    pytest.param(Measure.DONE_COUNT, MIXED, {}, 2.0, id="done-count"),
    pytest.param(Measure.ITEM_COUNT, MIXED, {}, 2.0, id="item-count-open-only"),
    pytest.param(Measure.MANUAL, MIXED, {"manual_value": 42.5}, 42.5, id="manual-ignores-items"),
    pytest.param(Measure.MANUAL, [], {}, None, id="manual-without-check-in"),
    pytest.param("work_done_ratio", MIXED, {}, 50.0, id="measure-given-as-string"),
])
def test_measure_value_reads_linked_work_by_measure(measure, items, kwargs, expected):
    assert measure_value(measure, items, **kwargs) == pytest.approx(expected)


@pytest.mark.parametrize("measure, expected", [
    pytest.param(Measure.WORK_DONE_RATIO, None, id="work-ratio-none"),
    pytest.param(Measure.POINTS_DONE_RATIO, None, id="points-ratio-none"),
    pytest.param(Measure.DONE_COUNT, None, id="done-count-none"),
    pytest.param(Measure.ITEM_COUNT, None, id="item-count-none"),
])
def test_measure_value_without_linked_items_is_none_so_the_kr_is_not_started(measure, expected):
    assert measure_value(measure, []) is expected


@pytest.mark.parametrize("measure, items, expected", [
    pytest.param(Measure.WORK_DONE_RATIO, [item("1", DONE), item("2", DONE)], 100.0, id="all-done"),
    pytest.param(Measure.WORK_DONE_RATIO, [item("1", TODO)], 0.0, id="none-done"),
    pytest.param(Measure.POINTS_DONE_RATIO, [item("1", DONE, 1), item("2", TODO, 3)], 25.0,
                 id="quarter-of-points"),
])
def test_ratio_measures_are_percentages_0_to_100(measure, items, expected):
    assert measure_value(measure, items) == pytest.approx(expected)


def test_done_count_is_zero_once_work_is_linked_but_none_done():
    assert measure_value(Measure.DONE_COUNT, [item("1", TODO)]) == 0.0


@pytest.mark.parametrize("measure", [Measure.WORK_DONE_RATIO, Measure.POINTS_DONE_RATIO],
                         ids=["work", "points"])
def test_ratio_is_none_when_every_item_is_canceled(measure):
    assert measure_value(measure, [item("1", CANCELED, 3), item("2", CANCELED)]) is None


def test_points_ratio_is_none_when_all_estimates_are_zero():
    unsized = [item("1", DONE, 0), item("2", TODO, 0)]
    assert measure_value(Measure.POINTS_DONE_RATIO, unsized) is None


@pytest.mark.parametrize("measure, expected", [
    pytest.param(Measure.WORK_DONE_RATIO, 50.0, id="work-ratio"),
    pytest.param(Measure.POINTS_DONE_RATIO, 50.0, id="points-ratio"),
    pytest.param(Measure.DONE_COUNT, 1.0, id="done-count"),
    pytest.param(Measure.ITEM_COUNT, 1.0, id="item-count"),
])
def test_deleted_items_never_count(measure, expected):
    items = [item("1", DONE, 2), item("2", TODO, 2), item("3", DONE, 9, deleted=True),
             item("4", TODO, 9, deleted=True)]
    assert measure_value(measure, items) == pytest.approx(expected)


@pytest.mark.parametrize("measure, expected", [
    pytest.param(Measure.WORK_DONE_RATIO, 50.0, id="work-ratio"),
    pytest.param(Measure.POINTS_DONE_RATIO, 50.0, id="points-ratio"),
    pytest.param(Measure.DONE_COUNT, 1.0, id="done-count"),
    pytest.param(Measure.ITEM_COUNT, 1.0, id="item-count"),
])
def test_item_linked_twice_counts_once(measure, expected):
    items = [item("1", DONE, 4), item("1", DONE, 4), item("2", TODO, 4), item("2", TODO, 4)]
    assert measure_value(measure, items) == pytest.approx(expected)


@pytest.mark.parametrize("copies, expected_done", [
    pytest.param([item("1", TODO, updated_at=T0), item("1", DONE, updated_at=T1)], 1.0,
                 id="newer-done-wins"),
    pytest.param([item("1", DONE, updated_at=T1), item("1", TODO, updated_at=T0)], 1.0,
                 id="order-does-not-matter"),
    pytest.param([item("1", DONE, updated_at=T0), item("1", DONE, deleted=True, updated_at=T1)],
                 None, id="newer-deletion-wins-nothing-left-to-count"),
])
def test_duplicate_with_different_state_keeps_newest_copy(copies, expected_done):
    assert measure_value(Measure.DONE_COUNT, copies) == expected_done


@pytest.mark.parametrize("items, kwargs, expected", [
    pytest.param(MIXED, {}, ItemCounts(4, 2, 11.0, 4.0), id="canceled-excluded"),
    pytest.param(MIXED, {"default_estimate": 2.5}, ItemCounts(4, 2, 12.5, 5.5),
                 id="default-estimate"),
    pytest.param([], {}, ItemCounts(0, 0, 0, 0), id="no-items"),
    pytest.param([item("1", DONE, 1), item("1", DONE, 1), item("2", TODO, 7, deleted=True)], {},
                 ItemCounts(1, 1, 1.0, 1.0), id="duplicates-and-deleted"),
])
def test_item_counts_report_totals_and_done(items, kwargs, expected):
    assert item_counts(items, **kwargs) == expected


def test_negative_default_estimate_is_refused():
    with pytest.raises(ValueError, match="default_estimate"):
        item_counts(MIXED, default_estimate=-1.0)
