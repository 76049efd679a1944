"""Values written by their unit: whole counts, money, percent, durations, set decimals."""
import pytest

from okr_core.domain import Measure
from okr_core.value_format import format_number, format_range, format_value, value_style


@pytest.mark.parametrize("current, target, unit, measure, start, text", [
    pytest.param(181.45, 300, "workspaces", "manual", 120, "181 of 300 workspaces",
                 id="count-unit-whole"),
    pytest.param(4.53, 2, "incidents", "manual", 8, "5 incidents (target 2 incidents)",
                 id="falling-incidents-whole"),
    pytest.param(45.0, 100, "%", "work_done_ratio", 0, "45% of 100%", id="ratio-percent"),
    pytest.param(99.87, 99.95, "%", "manual", 99.5, "99.87% of 99.95%",
                 id="percent-keeps-the-krs-own-decimals"),
    pytest.param(37.456, 65, "%", "manual", 40, "37.5% of 65%", id="percent-one-decimal"),
    pytest.param(900, 1200, "k$", "manual", 0, "$900k of $1,200k", id="money-thousands"),
    pytest.param(1500.5, 2000, "EUR", "manual", 0, "€1,500.5 of €2,000", id="money-code"),
    pytest.param(12.5, 1, "hours", "manual", 72, "12.5 hours (target 1 hour)",
                 id="falling-duration-singular"),
    pytest.param(95.26, 50, "ms", "manual", 180, "95.3 ms (target 50 ms)", id="falling-duration-ms"),
    pytest.param(7.0, 2, "bugs", "item_count", 14, "7 bugs (target 2 bugs)", id="falling-item-count"),
    pytest.param(4.2, 3, "%", "manual", 8, "4.2% (target 3%)", id="falling-percent"),
    pytest.param(80, 50, "k$", "manual", 120, "$80k (target $50k)", id="falling-money"),
    pytest.param(12.5, 40, "hours", "manual", 0, "12.5 of 40 hours", id="rising-duration"),
    pytest.param(None, 2, "incidents", "manual", 8, "none (target 2 incidents)", id="falling-no-value"),
    pytest.param(3.0, 40, "stories", Measure.DONE_COUNT, 0, "3 of 40 stories", id="done-count"),
    pytest.param(7.84, 9.0, "score", "manual", 7.5, "7.8 of 9 score", id="score-not-a-count"),
    pytest.param(None, 12, "customers", "manual", 0, "none of 12 customers", id="no-value"),
    pytest.param(3.0, None, "", "manual", 0, "3", id="no-target"),
])
def test_values_read_the_way_people_write_them(current, target, unit, measure, start, text):
    style = value_style(unit, measure, start, target)
    assert format_range(current, target, style) == text


@pytest.mark.parametrize("decimals, text", [(0, "37"), (1, "37.5"), (2, "37.46"), (3, "37.456")])
def test_decimals_are_configurable(decimals, text):
    style = value_style("", "manual", 0, 100, decimals=decimals)
    assert format_value(37.456, style) == text


@pytest.mark.parametrize("value, decimals, text", [
    (1200.0, 0, "1,200"), (0.0, 2, "0"), (-0.001, 1, "0"), (2.50, 2, "2.5"), (-1500.0, 0, "-1,500"),
])
def test_format_number_trims_and_separates(value, decimals, text):
    assert format_number(value, decimals) == text


def test_negative_money_puts_the_sign_first():
    assert format_value(-30, value_style("$", "manual", 0, 100)) == "-$30"


def test_a_projection_may_keep_a_decimal_on_a_count():
    style = value_style("workspaces", "manual", 120, 300)
    assert format_range(181.4, 300, style, extra_decimals=1) == "181.4 of 300 workspaces"


def test_a_falling_value_is_not_written_as_a_share_of_its_target():
    """ "49.8 of 1 hour" read as a fraction of an hour; a falling KR's value keeps its own unit."""
    style = value_style("hours", "manual", 72, 1)
    assert style.falling
    assert format_range(49.8, 1, style) == "49.8 hours (target 1 hour)"
    assert format_range(4.1, 2, value_style("incidents", "manual", 8, 2), extra_decimals=1) == \
        "4.1 incidents (target 2 incidents)"


@pytest.mark.parametrize("current, target, unit, start, text", [
    (181, 300, "workspaces", 120, "181 of 300 workspaces (from 120 workspaces)"),
    (49.8, 1, "hours", 72, "49.8 hours (from 72 hours, target 1 hour)"),
    (4.2, 3, "%", 8, "4.2% (from 8%, target 3%)"),
])
def test_a_start_is_said_where_the_value_began(current, target, unit, start, text):
    assert format_range(current, target, value_style(unit, "manual", start, target), start=start) == text
