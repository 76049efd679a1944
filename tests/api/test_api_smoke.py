"""A first pass through the API: a lead creates OKRs and checks in, on both stores."""
from okr_core.domain import Role, TeamKind


def test_lead_creates_objective_and_key_result_then_checks_in(client, actors, admin):
    company = actors.team("Acme", TeamKind.COMPANY)
    team = actors.team("Platform", parent_id=company)
    _, lead = actors.user(Role.LEAD, team)
    cycle = client.post("/api/v1/cycles", json={"name": "Q1", "start_date": "2026-01-01",
                                                "end_date": "2026-03-31", "status": "active"},
                        headers=admin)
    assert cycle.status_code == 201, cycle.get_json()
    objective = client.post("/api/v1/objectives", json={
        "cycle_id": cycle.get_json()["id"], "title": "Fast platform", "team_id": team},
        headers=lead)
    assert objective.status_code == 201, objective.get_json()
    kr = client.post("/api/v1/key-results", json={
        "objective_id": objective.get_json()["id"], "title": "p99 from 400 to 100 ms",
        "start_value": 400, "target_value": 100}, headers=lead)
    assert kr.status_code == 201, kr.get_json()
    check_in = client.post(f"/api/v1/key-results/{kr.get_json()['id']}/check-ins",
                           json={"value": 250, "status": "at_risk", "confidence": 6}, headers=lead)
    assert check_in.status_code == 201, check_in.get_json()
    fetched = client.get(f"/api/v1/key-results/{kr.get_json()['id']}", headers=lead).get_json()
    assert fetched["current_value"] == 250
    assert fetched["progress"] == 0.5
    assert fetched["status"] == "at_risk"
    tree = client.get(f"/api/v1/cycles/{cycle.get_json()['id']}/tree", headers=lead).get_json()
    assert tree["objectives"][0]["progress"] == 0.5


def test_a_read_records_when_the_token_was_last_used(client, actors, db):
    from okr_core.models import ApiToken

    user_id, headers = actors.user()
    assert client.get("/api/v1/cycles", headers=headers).status_code == 200
    token = db.query(ApiToken).filter_by(user_id=user_id).one()
    assert token.last_used_at is not None


def test_a_check_in_refreshes_the_cycle_analysis_in_the_background(app, client, world, admin, db):
    from sqlalchemy import select

    from okr_core.models import Analysis

    cycle = world.cycle()
    kr = world.key_result(world.objective(cycle), start_value=0, target_value=10)
    response = client.post(f"/api/v1/key-results/{kr}/check-ins",
                           json={"value": 4, "status": "on_track"}, headers=admin)
    assert response.status_code == 201
    app.extensions["okrsync.queue"].drain()
    analyses = db.scalars(select(Analysis).where(Analysis.cycle_id == cycle)).all()
    assert [(a.scope, a.state) for a in analyses] == [("company", "done")]
    assert analyses[0].sections["health"]


def test_the_analysis_refresh_runs_once_after_its_window_and_sees_the_last_change(
        app, client, world, admin, db):
    from sqlalchemy import select

    from okr_core.models import Analysis, CheckIn

    app.config["ANALYSIS_DEBOUNCE_SECONDS"] = 2
    cycle = world.cycle()
    kr = world.key_result(world.objective(cycle), start_value=0, target_value=10)
    for value in (2, 5, 9):  # a burst inside one window
        response = client.post(f"/api/v1/key-results/{kr}/check-ins", json={"value": value},
                               headers=admin)
        assert response.status_code == 201
    app.extensions["okrsync.queue"].drain(timeout=30)
    analyses = db.scalars(select(Analysis).where(Analysis.cycle_id == cycle)).all()
    assert len(analyses) <= 2  # one per window touched (the burst may straddle a boundary)
    latest = max(analyses, key=lambda a: a.id)
    last_check_in = db.scalars(select(CheckIn.created_at).where(CheckIn.key_result_id == kr)
                               .order_by(CheckIn.created_at.desc())).first()
    assert latest.state == "done" and latest.created_at > last_check_in  # ran after the burst
