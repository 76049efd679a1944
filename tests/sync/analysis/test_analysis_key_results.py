"""Key results: high performers, at risk, stalled, achievability against the sweet spot."""
import pytest
from tests.sync.analysis.analysis_builders import at, check_in, kr, make_ctx

from okr_core.analysis.key_results import (
    achievability, at_risk, high_performers, stalled, sweet_spot_verdict,
)


def test_high_performers_are_done_or_twenty_percent_ahead_of_the_calendar():
    ctx = make_ctx(krs=[kr(1, progress=0.6), kr(2, progress=0.59), kr(3, progress=1.3),
                        kr(4, progress=0.2)],
                   check_ins=[check_in(1, 1, 3, wins="Shipped the beta"), check_in(2, 1, 9)])
    rows = high_performers(ctx)
    assert [r["kr_id"] for r in rows] == [3, 1]         # most progress first
    assert rows[1]["pace_ratio"] == 1.2
    assert rows[1]["check_ins_with_wins"] == 1
    assert rows[1]["latest_win"] == "Shipped the beta"              # the success factor named
    assert rows[0]["progress"] == 1.0                    # shown clamped


def test_at_risk_lists_behind_krs_by_gap_times_weight_share():
    ctx = make_ctx(krs=[kr(1, 1, 0.3, "at_risk", weight=1), kr(2, 1, 0.1, "off_track", weight=3),
                        kr(3, 1, 0.5, "on_track"), kr(4, 1, 0.05, "off_track", weight=1)])
    rows = at_risk(ctx)
    assert [r["kr_id"] for r in rows] == [2, 4, 1]      # 0.4*0.5, 0.45*0.17, 0.2*0.17
    assert rows[0]["gap"] == 0.4 and rows[0]["objective_weight_share"] == 0.5
    assert rows[0]["status"] == "off_track"


@pytest.mark.parametrize("changed, check_ins, progress, days_idle", [
    (15, [], 0.3, 15),                                   # idle for 15 days
    (14, [], 0.3, 14),                                   # exactly 14 days counts
    (13, [], 0.3, None),
    (20, [check_in(1, 1, 3)], 0.3, None),                # a check-in 3 days ago is activity
    (20, [check_in(1, 1, 16)], 0.3, 16),                 # the check-in is old too
    (30, [], 1.0, None),                                 # done KRs do not stall
    (None, [], None, 60),                                # never moved: idle since creation
])
def test_stalled_means_no_progress_and_no_check_in_for_14_days(changed, check_ins, progress,
                                                              days_idle):
    ctx = make_ctx(krs=[kr(1, progress=progress, changed_days_ago=changed, confidence=4)],
                   check_ins=check_ins)
    rows = stalled(ctx)
    assert [r["days_idle"] for r in rows] == ([] if days_idle is None else [days_idle])


@pytest.mark.parametrize("score, verdict", [
    (None, "too_early"), (0.5, "below_sweet_spot"), (0.69, "below_sweet_spot"),
    (0.7, "sweet_spot"), (0.8, "sweet_spot"), (0.81, "above_sweet_spot"), (1.0, "above_sweet_spot"),
])
def test_sweet_spot_verdict(score, verdict):
    assert sweet_spot_verdict(score) == verdict


def test_achievability_projects_each_kr_at_its_pace_and_averages_by_weight():
    ctx = make_ctx(krs=[kr(1, progress=0.4), kr(2, progress=0.5), kr(3, progress=0.1, weight=2),
                        kr(4, progress=0.3, target_value=None)])
    result = achievability(ctx)
    assert result["per_key_result"] == {"1": 0.8, "2": 1.0, "3": 0.2, "4": None}
    assert result["projected_score"] == 0.55            # (0.8 + 1.0 + 2 * 0.2) / 4
    assert result["verdict"] == "below_sweet_spot"
    assert result["not_ambitious_ids"] == [2]
    assert result["too_ambitious_ids"] == [3]


def test_achievability_waits_for_a_tenth_of_the_cycle_and_uses_final_scores_once_scored():
    early = make_ctx(krs=[kr(1, progress=0.05)], now=at(38))     # day 7 of 90
    assert achievability(early)["verdict"] == "too_early"
    closed = make_ctx(krs=[kr(1, progress=0.9, final_score=0.9), kr(2, final_score=0.6)],
                      status="closed")
    assert achievability(closed)["projected_score"] == 0.75
