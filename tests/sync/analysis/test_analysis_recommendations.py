"""Recommendations and the retrospective, each naming the objects it is about."""
from tests.sync.analysis.analysis_builders import check_in, comment, item, kr, make_ctx, objective

from okr_core.analysis.alignment import alignment_section
from okr_core.analysis.blocker_report import blockers_section
from okr_core.analysis.key_results import key_results_section
from okr_core.analysis.recommendations import recommendations_section
from okr_core.analysis.retrospective import retrospective_section


def _recommend(ctx):
    krs = key_results_section(ctx)
    return recommendations_section(ctx, krs, alignment_section(ctx), blockers_section(ctx))


def _two_team_ctx(**lists):
    return make_ctx(
        objectives=[objective(1, team_id=10), objective(2, team_id=20)],
        krs=[kr(1, 1, 0.9, "on_track"), kr(2, 2, 0.1, "off_track", confidence=2),
             kr(3, 2, 0.3, "at_risk", changed_days_ago=20, confidence=2),
             kr(4, 2, 0.85, "on_track", confidence=6), kr(5, 1, 0.2, "at_risk", confidence=5,
                                                           changed_days_ago=30)],
        **lists)


def test_reallocation_moves_capacity_from_the_team_ahead_to_the_team_behind():
    result = _recommend(_two_team_ctx())["reallocation"]
    assert result[0]["from_team_id"] == 10 and result[0]["to_team_id"] == 20
    assert result[0]["key_result_ids"] == [2, 3]
    assert result[0]["team_ids"] == [10, 20]
    # team 10 is behind on KR 5 too, and team 20 has KR 4 ahead of the calendar
    assert [(r["from_team_id"], r["to_team_id"]) for r in result] == [(10, 20), (20, 10)]


def test_risk_mitigation_escalates_known_blockers_and_reviews_the_rest():
    ctx = _two_team_ctx(items=[item(1, (2,))],
                        comments=[comment(1, 1, "Waiting on design specs"),
                                  comment(2, 1, "Still waiting on design specs")])
    rows = {r["key_result_ids"][0]: r for r in _recommend(ctx)["risk_mitigation"]}
    assert rows[2]["action"] == "escalate_blockers"
    assert rows[2]["blocker_phrases"] == ["waiting on design specs"]
    assert rows[3]["action"] == "review_scope_or_resources"
    assert set(rows) == {2, 3, 5}


def test_quick_wins_are_near_complete_and_sunset_candidates_stalled_with_low_confidence():
    result = _recommend(_two_team_ctx())
    assert [r["key_result_ids"] for r in result["quick_wins"]] == [[1], [4]]
    # KR 3: 20 days idle, confidence 2; KR 5: 30 days idle but confidence 5 still believes
    assert [r["key_result_ids"] for r in result["sunset_candidates"]] == [[3]]


def test_next_cycle_planning_follows_achievability_focus_and_blockers():
    ctx = make_ctx(objectives=[objective(1, team_id=1, parent_id=None),
                               objective(2, parent_id=1)],
                   krs=[kr(1, 1, 0.9), kr(2, 2, 1.0)],
                   items=[item(1, (1, 2))],
                   check_ins=[check_in(1, 1, 2, blockers="Short on capacity"),
                              check_in(2, 2, 2, blockers="Short on capacity again")])
    actions = {r["action"]: r for r in _recommend(ctx)["next_cycle"]}
    assert actions["raise_ambition"]["key_result_ids"] == [1, 2]     # both project to 1.0
    assert actions["align_to_parent_objectives"]["objective_ids"] == [1]
    assert actions["resolve_priority_conflicts"]["key_result_ids"] == [1, 2]
    assert actions["plan_around_recurring_blocker"]["mentions"] == 2


def test_retrospective_waits_for_the_cycle_to_close():
    ctx = make_ctx(krs=[kr(1, final_score=1.0)])
    assert retrospective_section(ctx, key_results_section(ctx), blockers_section(ctx)) is None


def test_retrospective_sums_up_achievements_misses_blockers_and_lessons():
    ctx = make_ctx(
        status="closed",
        objectives=[objective(1, final_score=0.9), objective(2, final_score=0.3)],
        krs=[kr(1, 1, 1.0, final_score=1.0), kr(2, 1, 1.0, final_score=1.0),
             kr(3, 2, 0.3, final_score=0.3, changed_days_ago=40)],
        check_ins=[check_in(1, 3, 50, blockers="Waiting on legal review"),
                   check_in(2, 3, 45, blockers="Still waiting on legal review")])
    retro = retrospective_section(ctx, key_results_section(ctx), blockers_section(ctx))
    assert retro["average_objective_score"] == 0.6
    assert retro["achievements"]["objectives"] == [{"id": 1, "score": 0.9, "label": "delivered"}]
    assert retro["misses"]["objectives"] == [{"id": 2, "score": 0.3, "label": "failed"}]
    assert [k["id"] for k in retro["misses"]["key_results"]] == [3]
    assert retro["recurring_blockers"][0]["count"] == 2
    codes = {lesson["code"]: lesson for lesson in retro["lessons"]}
    assert codes["targets_not_ambitious"]["key_result_ids"] == [1, 2]   # 2 of 3 scored 1.0
    assert codes["keep_key_results_updated"]["key_result_ids"] == [3]
    assert codes["plan_for_recurring_blocker"]["key_result_ids"] == [3]
