"""Server-drawn SVG: bars clamp, charts draw one point per snapshot, text is escaped."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from ui_panel.charts import percent, progress_bar, status_text, trend_chart

START = datetime(2026, 10, 1, tzinfo=timezone.utc)


def test_bar_width_is_clamped_progress_and_names_the_status():
    assert 'width="100.0"' in progress_bar(1.4, "on_track")
    assert 'width="0.0"' in progress_bar(-0.2, "off_track")
    bar = progress_bar(0.425, "at_risk")
    assert 'width="42.5"' in bar and 'aria-label="42% complete, At risk"' in bar
    assert "status-at_risk" in bar


def test_chart_has_a_point_per_snapshot_and_skips_missing_progress():
    points = [(START + timedelta(days=7 * n), n / 10) for n in range(6)] + [(START, None)]
    svg = trend_chart(points, width=100, height=50)
    assert svg.count('class="trend-point"') == 6
    ys = [float(y) for y in re.findall(r'cy="([0-9.]+)"', svg)]
    assert ys == sorted(ys, reverse=True)  # rising progress goes up the chart
    assert trend_chart([]) == '<span class="muted trend-empty">no history yet</span>'


def test_chart_label_is_escaped():
    svg = trend_chart([(START, 0.5)], label='KR "<b>bold</b>"')
    assert "<b>" not in svg and "&lt;b&gt;" in svg


def test_words_for_statuses_and_percentages():
    assert [status_text(s) for s in ("on_track", "at_risk", "off_track", None)] == [
        "On track", "At risk", "Off track", "No status"]
    assert (percent(None), percent(0.666), percent(2.0)) == ("no target", "67%", "100%")
