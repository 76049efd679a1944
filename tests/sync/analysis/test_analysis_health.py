"""Health: score, breakdown, trend a week back, velocity, earlier cycles."""
import pytest
from tests.sync.analysis.analysis_builders import (check_in, kr, make_ctx, objective, past_cycle, weekly_snapshots)

from okr_core.analysis.health import earlier_cycles, health_score, health_section, velocity


@pytest.mark.parametrize("rows, expected", [
    ([(1, 0.5, "on_track")], 100),                          # on pace and on track
    ([(1, 0.25, "at_risk")], 50),                           # half the pace, half the points
    ([(1, 0.0, "off_track")], 0),
    ([(1, None, "off_track")], 0),                          # no value yet counts as nothing done
    ([(1, None, "not_started")], None),                     # not started: not judged
    ([(1, 0.5, "on_track"), (5, None, "not_started")], 100),  # left out, not counted red
    ([(1, 1.4, "on_track")], 100),                          # ahead is capped, not a bonus
    ([(1, 0.5, "on_track"), (1, 0.0, "off_track")], 50),
    ([(3, 0.5, "on_track"), (1, 0.0, "off_track")], 75),    # weighted by KR weight
    ([(0, 0.5, "on_track"), (0, 0.0, "off_track")], 50),    # all-zero weights: plain mean
    ([], None),
])
def test_health_score_blends_pace_attainment_and_status(rows, expected):
    assert health_score(rows, expected=0.5) == expected


def test_breakdown_counts_and_names_key_results_and_objectives():
    ctx = make_ctx(
        objectives=[objective(1, progress=0.5), objective(2, progress=0.4),
                    objective(3, progress=0.3)],
        krs=[kr(1, 1, 0.5, "on_track"), kr(2, 2, 0.4, "at_risk"), kr(3, 3, 0.3, "off_track"),
             kr(4, 3, 0.3, "off_track")])
    section = health_section(ctx, projected_score=None)
    assert section["key_results"]["counts"] == {"on_track": 1, "at_risk": 1, "off_track": 2}
    assert section["key_results"]["ids"]["off_track"] == [3, 4]
    # 0.5 expected: 0.45 and above on track, 0.35 and above at risk
    assert section["objectives"]["ids"] == {"on_track": [1], "at_risk": [2], "off_track": [3]}
    assert section["expected_progress"] == 0.5


def test_key_results_not_started_are_left_out_of_the_breakdown_and_objective_statuses():
    ctx = make_ctx(objectives=[objective(1, progress=0.5), objective(2, progress=0.0)],
                   krs=[kr(1, 1, 0.5, "on_track"), kr(2, 1, None, "not_started"),
                        kr(3, 2, None, "not_started")])
    section = health_section(ctx, projected_score=None)
    assert section["key_results"]["counts"] == {"on_track": 1, "at_risk": 0, "off_track": 0}
    assert section["objectives"]["ids"] == {"on_track": [1], "at_risk": [], "off_track": []}
    assert section["score"] == 100


@pytest.mark.parametrize("check_ins, previous", [
    ([], 24),                                               # 0.2 of 0.422 expected, off track
    ([check_in(1, 1, days_ago=10, status="on_track")], 74),  # a newer check-in said on track
    ([check_in(1, 1, days_ago=16, status="on_track")], 24),  # older than the progress change
])
def test_trend_rebuilds_the_score_a_week_ago_from_snapshots_and_check_ins(check_ins, previous):
    # Week ago = day 38: the last snapshot then is day 35 at 0.2 (day 28 at 0.1).
    snapshots = weekly_snapshots(1, [0.0, 0.0, 0.0, 0.0, 0.1, 0.2, 0.5])
    ctx = make_ctx(objectives=[objective(1, progress=0.5)], krs=[kr(1, 1, 0.5, "on_track")],
                   snapshots=snapshots, check_ins=check_ins)
    trend = health_section(ctx, None)["trend"]
    assert trend["previous_score"] == previous
    assert trend["delta"] == 100 - previous
    assert trend["direction"] == "up"


def test_no_trend_in_the_first_week():
    from tests.sync.analysis.analysis_builders import at
    ctx = make_ctx(krs=[kr(1)], now=at(40))   # day 5 of the cycle
    assert health_section(ctx, None)["trend"] is None


def test_velocity_compares_progress_per_week_with_what_the_rest_needs():
    snapshots = weekly_snapshots(1, [0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4]) + \
        weekly_snapshots(2, [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    ctx = make_ctx(krs=[kr(1, progress=0.4), kr(2, progress=0.6)], snapshots=snapshots)
    result = velocity(ctx)
    assert result["mean_progress"] == 0.5
    assert result["weeks_elapsed"] == 6.4 and result["weeks_remaining"] == 6.4
    assert result["progress_per_week"] == 0.078          # 0.5 over 45 days
    assert result["needed_per_week"] == 0.078            # 0.5 left over 45 days
    assert result["pace_ratio"] == 1.0
    # A week ago is day 38: both series read their day-35 levels (0.3, 0.5), mean 0.4.
    assert result["last_week_progress"] == 0.1


def test_earlier_cycles_average_their_objective_scores_and_compare_the_projection():
    ctx = make_ctx(krs=[kr(1)], past_cycles=[past_cycle(7, (0.6, 0.8)), past_cycle(8, (0.5,))])
    result = earlier_cycles(ctx, projected_score=0.75)
    assert [c["average_score"] for c in result["cycles"]] == [0.7, 0.5]
    assert result["average_score"] == 0.6
    assert result["delta"] == 0.15


def test_no_earlier_cycles_means_no_comparison():
    result = earlier_cycles(make_ctx(krs=[kr(1)]), projected_score=0.75)
    assert result == {"cycles": [], "average_score": None, "projected_score": 0.75, "delta": None}
