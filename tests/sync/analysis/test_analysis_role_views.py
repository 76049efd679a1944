"""Views per role: leadership portfolio risk, team leads' workload and talking points, contributors."""
from tests.sync.analysis.analysis_builders import comment, item, kr, make_ctx, objective, weekly_snapshots

from okr_core.analysis.compute import analyse
from okr_core.analysis.context import build_context
from okr_core.analysis.role_views import contributors, team_leads


def _facts():
    from tests.sync.analysis.analysis_builders import make_facts
    return make_facts(
        objectives=[objective(1, team_id=10), objective(2, team_id=20)],
        krs=[kr(1, 1, 0.9, owner_id=7), kr(2, 1, 0.1, owner_id=7, status="at_risk"), kr(3, 1, 0.5, owner_id=8),
             kr(4, 2, 0.2, owner_id=9, status="off_track")],
        snapshots=weekly_snapshots(2, [0.1] * 7) + weekly_snapshots(1, [0.0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9]),
        items=[item(1, (2,)), item(2, (2,)), item(3, (3,))],
        comments=[comment(1, 1, "Waiting on design specs"), comment(2, 2, "Still waiting on design specs")])


def test_sections_carry_a_view_per_role():
    views = analyse(_facts())["views"]
    assert set(views) == {"leadership", "team_leads", "contributors"}
    risks = [row["risk_score"] for row in views["leadership"]["portfolio_risk"]]
    assert risks == sorted(risks, reverse=True) and all(0 <= r <= 100 for r in risks)


def test_team_leads_see_workload_spread_blockers_to_escalate_and_talking_points():
    facts = _facts()
    sections = analyse(facts)
    team = next(v for v in team_leads(build_context(facts), sections) if v["team_id"] == 10)
    assert [(w["owner_id"], w["key_results"]) for w in team["workload"]] == [(7, 2), (8, 1)]
    assert team["workload_spread"] == 1
    assert team["blockers_to_escalate"][0]["phrase"] == "waiting on design specs"
    assert {"kr_id": 2, "topic": "behind_plan"} in team["talking_points"]["7"]


def test_contributors_compare_with_team_and_company_and_see_where_an_item_moves_most():
    ctx = build_context(_facts())
    mine = next(v for v in contributors(ctx) if v["owner_id"] == 7)
    assert mine["company_average"] == round((0.9 + 0.1 + 0.5 + 0.2) / 4, 3)
    assert {r["kr_id"]: r["team_average"] for r in mine["key_results"]} == {1: 0.5, 2: 0.5}
    assert mine["most_moved_by_next_item"] == 2         # 0.9 to go over 2 open items
