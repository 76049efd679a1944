"""The KR page's chart: axes with dates and percentages, target and pace lines, one labelled point."""
from __future__ import annotations

from datetime import date, datetime, timezone

from ui_panel.charts import trend_chart
from ui_panel.kr_chart import progress_chart

START, END = date(2026, 10, 1), date(2026, 12, 31)


def at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=timezone.utc)


def test_chart_has_percent_and_date_axes_and_the_target_and_pace_lines():
    svg = str(progress_chart([(at(1), 0.2), (at(15), 0.45)], START, END))
    for text in ("0%", "50%", "100%", "01 Oct 2026", "31 Dec 2026"):
        assert f">{text}</text>" in svg
    assert svg.count('class="chart-target"') == svg.count('class="chart-pace"') == 1
    assert svg.count("<circle") == 2 and "chart-line" in svg


def test_a_single_point_is_drawn_with_its_value_and_date():
    svg = str(progress_chart([(at(20), 0.42)], START, END))
    assert "<polyline" not in svg and svg.count("<circle") == 1
    assert ">42% on 20 Nov</text>" in svg
    assert ">42% on 20 Nov</text>" in str(trend_chart([(at(20), 0.42)]))


def test_no_history_says_so_and_values_beyond_the_cycle_stay_inside_the_frame():
    assert "no history yet" in str(progress_chart([], START, END))
    svg = str(progress_chart([(at(1, 9), 1.7), (at(1, 12), -0.4)], START, END))
    assert 'cx="46.0" cy="14.0"' in svg  # before the start, above 100%: clamped to the corner
