"""Alignment and focus: aligned share, orphans, concentration, dependencies, competing items."""
from tests.sync.analysis.analysis_builders import blocks, item, kr, make_ctx, objective

from okr_core.analysis.alignment import alignment, competing_items, concentration, dependencies


def test_aligned_share_counts_non_company_objectives_with_a_parent():
    ctx = make_ctx(objectives=[objective(1, level="company", team_id=None),
                               objective(2, parent_id=1), objective(3, parent_id=None),
                               objective(4, parent_id=2, level="individual")])
    assert alignment(ctx) == {"aligned_share": 0.667, "objectives_considered": 3,
                              "orphan_ids": [3]}


def test_a_cycle_of_company_objectives_has_no_alignment_share():
    ctx = make_ctx(objectives=[objective(1, level="company")])
    assert alignment(ctx)["aligned_share"] is None


def test_concentration_flags_owners_and_teams_over_five_objectives():
    objectives = [objective(i, team_id=1, owner_id=7) for i in range(1, 7)] + \
        [objective(7, team_id=2, owner_id=8)]
    result = concentration(make_ctx(objectives=objectives))
    assert result["scattered_owner_ids"] == [7]
    assert result["scattered_team_ids"] == [1]
    assert result["per_team"][0] == {"team_id": 1, "objectives": 6, "over_limit": True}
    assert result["per_owner"][1] == {"owner_id": 8, "objectives": 1, "over_limit": False}


def _two_teams(**lists):
    return make_ctx(objectives=[objective(1, team_id=10), objective(2, team_id=20)],
                    krs=[kr(1, 1), kr(2, 2)], **lists)


def test_cross_team_dependencies_are_open_blocks_between_items_of_different_teams():
    ctx = _two_teams(
        items=[item(1, (1,)), item(2, (2,)), item(3, (1,)), item(4, (1,), status="done"),
               item(5, (2,))],
        relations=[blocks(1, 2), blocks(1, 3), blocks(4, 5), blocks(9, 2)])
    result = dependencies(ctx)
    # 1 -> 3 is inside team 10; 4 is done; item 9 is not linked to any KR
    assert result["cross_team"] == [{"blocking_team_id": 10, "blocked_team_id": 20, "count": 1,
                                     "item_pairs": [["PROJ-1", "PROJ-2"]],
                                     "blocked_kr_ids": [2]}]
    assert result["bottleneck_items"] == [] and result["bottleneck_teams"] == []


def test_bottlenecks_are_items_and_teams_blocking_three_or_more_items():
    ctx = _two_teams(items=[item(1, (1,)), item(2, (2,)), item(3, (2,)), item(4, (2,)),
                            item(5, (1,)), item(6, (2,))],
                     relations=[blocks(1, 2), blocks(1, 3), blocks(1, 4), blocks(5, 6)])
    result = dependencies(ctx)
    assert result["bottleneck_items"] == [{"item_id": 1, "key": "PROJ-1", "blocks_items": 3,
                                           "kr_ids": [1]}]
    assert result["bottleneck_teams"] == [{"team_id": 10, "blocks_items": 4}]
    assert result["cross_team"][0]["count"] == 4


def test_items_counted_toward_krs_of_several_objectives_compete():
    ctx = make_ctx(objectives=[objective(1), objective(2)],
                   krs=[kr(1, 1), kr(2, 1), kr(3, 2)],
                   items=[item(1, (1, 3)), item(2, (1, 2)), item(3, (3,))])
    result = competing_items(ctx)
    # item 2 counts twice but inside one objective: not a priority conflict
    assert result == {"count": 1, "items": [{"item_id": 1, "key": "PROJ-1", "kr_ids": [1, 3],
                                             "objective_ids": [1, 2]}]}
