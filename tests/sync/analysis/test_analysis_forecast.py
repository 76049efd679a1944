"""Forecast: a seeded Monte Carlo over observed weekly deltas, with its sample size."""
from datetime import datetime, timezone

import pytest
from tests.sync.analysis.analysis_builders import at, kr, make_ctx, objective, weekly_snapshots

from okr_core.analysis.facts import SnapshotFact
from okr_core.analysis.forecast import forecast_section, weekly_deltas


def _kr_row(ctx, kr_id=1):
    return next(r for r in forecast_section(ctx)["key_results"] if r["kr_id"] == kr_id)


@pytest.mark.parametrize("levels, progress, chance", [
    ([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 0.6, 1.0),     # 0.1 a week, 6.4 weeks left: made
    ([0.2] * 7, 0.2, 0.0),                               # flat: never
    ([0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12], 0.12, 0.0),
])
def test_steady_pace_gives_certain_outcomes(levels, progress, chance):
    ctx = make_ctx(krs=[kr(1, progress=progress)], snapshots=weekly_snapshots(1, levels))
    row = _kr_row(ctx)
    assert row["chance"] == chance
    assert row["sample_weeks"] == 6 and row["insufficient_data"] is False


def test_chance_matches_the_share_of_weeks_that_would_finish_the_key_result():
    # Day 83: one week left, eleven weeks observed: six gained 0.5, five gained nothing.
    now = datetime(2026, 3, 25, tzinfo=timezone.utc)
    levels = [0.0]
    for week in range(11):
        levels.append(levels[-1] + (0.5 if week % 2 == 0 else 0.0))
    ctx = make_ctx(krs=[kr(1, progress=0.5)], snapshots=weekly_snapshots(1, levels), now=now)
    row = _kr_row(ctx)
    assert row["sample_weeks"] == 11 and row["weeks_remaining"] == 1.0
    assert abs(row["chance"] - 6 / 11) < 0.08
    assert _kr_row(ctx) == row                           # seeded: the same facts, the same chance


@pytest.mark.parametrize("snapshots, sample", [
    ([], 0),
    ([SnapshotFact(1, at(10), 0.1)], 1),                 # first seen 10 days ago: one week
])
def test_fewer_than_two_weeks_is_insufficient_data(snapshots, sample):
    row = _kr_row(make_ctx(krs=[kr(1, progress=0.3)], snapshots=snapshots))
    assert row == {"kr_id": 1, "objective_id": 1, "sample_weeks": sample, "weeks_remaining": 6.4,
                   "reported_status": "on_track", "reported_confidence": None,
                   "chance": None, "chance_from_pace": None, "interval": None, "end_value": None,
                   "status_disagrees": False, "insufficient_data": True}


def test_a_key_result_at_its_target_has_reached_it():
    assert _kr_row(make_ctx(krs=[kr(1, progress=1.0)]))["chance"] == 1.0


def test_weekly_deltas_start_at_the_first_snapshot():
    snapshots = [SnapshotFact(1, at(21), 0.1), SnapshotFact(1, at(7), 0.3)]
    ctx = make_ctx(krs=[kr(1, progress=0.3)], snapshots=snapshots)
    assert [round(d, 3) for d in weekly_deltas(ctx, kr(1))] == [0.0, 0.2, 0.0]


def test_objective_forecast_simulates_its_key_results_together():
    ctx = make_ctx(objectives=[objective(1), objective(2)],
                   krs=[kr(1, 1, progress=0.6), kr(2, 1, progress=0.5), kr(3, 2, progress=0.5)],
                   snapshots=weekly_snapshots(1, [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]))
    first, second = forecast_section(ctx)["objectives"]
    # KR 1 finishes in every trial; KR 2 has no data and stays at 0.5: a 0.75 score, not 1.0
    assert first == {"objective_id": 1, "krs_without_data": [2], "chance_all_targets": 0.0,
                     "chance_delivered": 1.0, "insufficient_data": False}
    assert second["insufficient_data"] is True and second["chance_delivered"] is None
