"""Closed and archived cycles are read-only."""
import pytest

from okr_core.domain import CycleStatus
from okr_core.rules import CycleClosed, guard_cycle_writable, is_cycle_writable


@pytest.mark.parametrize("status, writable", [
    pytest.param(CycleStatus.DRAFT, True, id="draft"),
    pytest.param(CycleStatus.ACTIVE, True, id="active"),
    pytest.param(CycleStatus.CLOSED, False, id="closed"),
    pytest.param(CycleStatus.ARCHIVED, False, id="archived"),
    pytest.param("closed", False, id="status-as-string"),
])
def test_is_cycle_writable(status, writable):
    assert is_cycle_writable(status) is writable


@pytest.mark.parametrize("status", [CycleStatus.DRAFT, CycleStatus.ACTIVE], ids=["draft", "active"])
def test_guard_lets_open_cycles_change(status):
    assert guard_cycle_writable(status) is None


@pytest.mark.parametrize("status", [CycleStatus.CLOSED, CycleStatus.ARCHIVED, "archived"],
                         ids=["closed", "archived", "string"])
def test_guard_raises_cycle_closed_for_read_only_cycles(status):
    with pytest.raises(CycleClosed, match="read-only") as raised:
        guard_cycle_writable(status)
    assert raised.value.status is CycleStatus(status)


def test_unknown_status_is_refused():
    with pytest.raises(ValueError):
        guard_cycle_writable("paused")
