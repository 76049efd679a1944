"""The analysis panel's forecast: the chance with its interval and the P10/P50/P90 end values
(issue 17's forecast ranges) in the KR's units, with the sample they rest on."""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone

from sqlalchemy import select

from okr_core.analysis.forecast import TRIALS
from okr_core.models import Analysis
from okr_core.value_format import value_style
from tests.ui_panel.conftest import csrf_token, scalar
from ui_panel.forecast_words import Scale, chance_words, range_words

ROW = {"kr_id": 7, "chance": 0.34, "interval": [0.18, 0.55], "sample_weeks": 6,
       "end_value": {"p10": 0.5, "p50": 0.75, "p90": 1.1}}


def test_the_chance_reads_with_its_95_percent_interval():
    assert chance_words(ROW) == "34% chance to reach its target (95% interval 18% to 55%)"
    reached = {**ROW, "chance": 1.0, "interval": [1.0, 1.0]}
    assert chance_words(reached) == "100% chance to reach its target"


def test_end_values_read_in_the_krs_units_with_the_sample_size():
    signups = Scale(0, 200, value_style("signups", "manual", 0, 200))
    assert range_words(ROW, signups, TRIALS) == (
        "Likely end value 150 signups (P50); 1 in 10 simulated endings is at 100 signups or "
        "worse (P10), 1 in 10 at 220 signups or better (P90). From 6 weeks of progress and "
        f"{TRIALS} simulated endings.")


def test_a_decreasing_kr_reads_its_pessimistic_end_above_its_optimistic_one():
    incidents = Scale(10, 2, value_style("incidents", "manual", 10, 2))
    words = range_words(ROW, incidents, TRIALS)
    assert words.startswith("Likely end value 4 incidents (P50); 1 in 10 simulated endings is at "
                            "6 incidents or worse (P10), 1 in 10 at 1 ")
    assert "or better (P90)" in words


def test_without_a_known_scale_the_range_reads_as_progress():
    words = range_words({**ROW, "sample_weeks": 1}, None, None)
    assert words.startswith("Likely end value 75% of the way to target (P50)")
    assert words.endswith("From 1 week of progress.")


def test_rows_without_end_values_add_no_range():
    for ends in (None, {"p50": 0.5}, "0.5"):
        assert range_words({**ROW, "end_value": ends}, None, TRIALS) == ""
    same = {**ROW, "end_value": {"p10": 1.0, "p50": 1.0, "p90": 1.0}}
    assert range_words(same, None, TRIALS).startswith("Ends at 100% of the way to target.")


def test_the_company_panel_shows_each_forecasts_range_and_sample(admin_client, db, demo):
    token = csrf_token(admin_client, "/")
    assert admin_client.post(f"/cycles/{demo}/analysis",
                             data={"csrf_token": token, "scope": "company"}).status_code in (200, 302)
    deadline = time.monotonic() + 120
    while scalar(db, select(Analysis.state).order_by(Analysis.id.desc()).limit(1)) != "done":
        assert time.monotonic() < deadline, "the analysis did not finish in 120 s"
        time.sleep(0.5)
    html = admin_client.get("/").text
    forecast = html[html.index("Forecast: least likely to reach target"):]
    forecast = forecast[:forecast.index("</ul>")]
    ranges = re.findall(r'<span class="muted forecast-range">([^<]+)</span>', forecast)
    assert ranges, forecast
    assert all(f"{TRIALS} simulated endings" in text and "week" in text for text in ranges)
    assert any("(P10)" in text and "(P90)" in text for text in ranges)
    assert "95% interval" in forecast


def test_the_panel_says_which_run_it_shows_while_a_newer_one_runs(admin_client, db, demo):
    shown = Analysis(cycle_id=demo, scope="company", state="done",
                     narrative={"headline": "Cycle health 61 of 100"}, sections={},
                     created_at=datetime(2026, 11, 20, 9, 5, tzinfo=timezone.utc))
    newer = Analysis(cycle_id=demo, scope="company", state="queued",
                     created_at=datetime(2026, 11, 24, 14, 30, tzinfo=timezone.utc))
    db.add_all([shown, newer])
    db.commit()
    ids = shown.id, newer.id
    for asked in ids:  # polling the newer run, or the shown one after it finished
        html = admin_client.get(f"/cycles/{demo}/analysis/{asked}/panel?scope=company").text
        assert f'data-shown-run="{ids[0]}"' in html and f'data-pending-run="{ids[1]}"' in html
        assert f'data-run="{asked}"' in html
        assert ("Showing the analysis of 20 Nov 09:05 UTC. A newer one, started 24 Nov 14:30 "
                "UTC, is running") in html
        assert "Cycle health 61 of 100" in html
    assert 'data-pending-run' in admin_client.get("/").text
