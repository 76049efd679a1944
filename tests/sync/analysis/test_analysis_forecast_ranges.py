"""Forecast ranges: chance with an interval, P10/P50/P90 end values, confidence, status disagreement."""
from tests.sync.analysis.analysis_builders import check_in, kr, make_ctx, weekly_snapshots

from okr_core.analysis.compute import analyse
from okr_core.analysis.digest import build_digest
from okr_core.analysis.forecast import forecast_section
from okr_core.analysis.forecast_ranges import blended, percentile, wilson
from okr_core.analysis.narrative_check import check_narrative
from okr_core.analysis.narrative_template import template_narrative

UNEVEN = [0.0, 0.1, 0.1, 0.25, 0.25, 0.4, 0.45]    # six weeks of uneven gains


def _section(krs, snapshots, check_ins=()):
    return forecast_section(make_ctx(krs=krs, snapshots=snapshots, check_ins=list(check_ins)))


def test_end_values_are_ordered_percentiles_of_the_simulated_finals():
    row = _section([kr(1, progress=0.45)], weekly_snapshots(1, UNEVEN))["key_results"][0]
    end = row["end_value"]
    assert 0.45 <= end["p10"] <= end["p50"] <= end["p90"]
    low, high = row["interval"]
    assert low <= row["chance"] <= high and high - low > 0.2   # six weeks: a wide interval


def test_more_weeks_observed_narrow_the_interval():
    assert wilson(0.5, 20)[1] - wilson(0.5, 20)[0] < wilson(0.5, 4)[1] - wilson(0.5, 4)[0]
    assert wilson(0.0, 0) == (0.0, 1.0)


def test_the_owners_confidence_counts_as_two_weeks_of_evidence():
    assert blended(0.0, 6, None) == (0.0, 6.0)
    chance, sample = blended(0.0, 6, 8)
    assert sample == 8.0 and abs(chance - 2 * 0.8 / 8) < 1e-9
    plain = _section([kr(1, progress=0.45)], weekly_snapshots(1, UNEVEN))["key_results"][0]
    confident = _section([kr(1, progress=0.45)], weekly_snapshots(1, UNEVEN),
                         [check_in(1, 1, 2, confidence=9)])["key_results"][0]
    assert confident["reported_confidence"] == 9
    assert confident["chance"] > plain["chance"] and confident["chance_from_pace"] == plain["chance_from_pace"]


def test_on_track_with_no_chance_is_flagged_and_off_track_with_no_chance_is_not():
    flat = weekly_snapshots(1, [0.1] * 7) + weekly_snapshots(2, [0.1] * 7)
    section = _section([kr(1, progress=0.1, status="on_track"), kr(2, progress=0.1, status="off_track")], flat)
    assert [d["kr_id"] for d in section["status_disagreements"]] == [1]
    assert section["status_disagreements"][0]["reported_status"] == "on_track"


def test_percentile_interpolates():
    assert percentile([0.0, 1.0], 0.5) == 0.5
    assert percentile([0.3], 0.9) == 0.3


def test_the_template_says_the_likely_end_is_a_share_of_the_way_not_a_value():
    """"likely to end 12% of the way to target": a bare "expected end 12%" reads as the KR's own value."""
    ctx = make_ctx(krs=[kr(1, progress=0.1, status="on_track")], snapshots=weekly_snapshots(1, [0.1] * 7))
    facts, _ = build_digest(analyse(ctx.facts), {1: "Raise weekly active teams from 40% to 65%"}, 10)
    [row] = facts["forecast"]["status_disagreements"]
    facts["forecast"]["status_vs_pace"] = []    # the forecast's sentence alone (with the pace's, see below)
    narrative = check_narrative(template_narrative(facts), facts)
    [text] = [c["text"] for c in narrative["concerns"] if "chance of reaching target" in c["text"]]
    assert f"likely to end {row['end_p50_pct']}% of the way to target)" in text
    assert "expected end" not in text
