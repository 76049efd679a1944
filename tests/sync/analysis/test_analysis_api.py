"""POST/GET /cycles/<id>/analysis: queued runs, scopes, and only what the caller may see."""
import pytest
from tests.sync.analysis.analysis_store import arrange_cycle


@pytest.fixture
def arranged(app, actors):
    return arrange_cycle(app, actors)


def _post(client, arranged, who="admin", scope=None):
    query = f"?scope={scope}" if scope else ""
    response = client.post(f"/api/v1/cycles/{arranged.cycle_id}/analysis{query}",
                           headers=arranged.users[who][1])
    return response


def _run(app, client, arranged, who="admin", scope=None):
    response = _post(client, arranged, who, scope)
    assert response.status_code == 202, response.get_json()
    app.extensions["okrsync.queue"].drain()
    return response.get_json()


def _get(client, arranged, who="admin", scope=None):
    query = f"?scope={scope}" if scope else ""
    return client.get(f"/api/v1/cycles/{arranged.cycle_id}/analysis{query}",
                      headers=arranged.users[who][1])


def test_post_queues_a_run_and_get_returns_it_once_done(app, client, arranged):
    queued = _post(client, arranged)
    assert queued.status_code == 202
    body = queued.get_json()
    assert body["state"] == "queued" and body["scope"] == "company" and body["id"] > 0
    app.extensions["okrsync.queue"].drain()
    got = _get(client, arranged)
    assert got.status_code == 200
    analysis = got.get_json()
    assert analysis["id"] == body["id"] and analysis["state"] == "done"
    assert analysis["sections"]["subjects"]["objective_ids"] == sorted(arranged.objective_ids.values())
    assert analysis["sections"]["health"]["key_results"]["counts"]["off_track"] == 0
    recurring = {g["phrase"]: g["count"] for g in analysis["sections"]["blockers"]["recurring"]}
    assert recurring["waiting on design specs"] == 3
    assert analysis["narrative"]["source"] == "template"      # no key configured
    assert analysis["model"] == "template" and len(analysis["inputs_hash"]) == 64


def test_get_is_404_before_any_analysis_and_for_an_unknown_cycle(client, arranged):
    assert _get(client, arranged).status_code == 404
    admin = arranged.users["admin"][1]
    assert client.get("/api/v1/cycles/9999/analysis", headers=admin).status_code == 404
    assert client.post("/api/v1/cycles/9999/analysis", headers=admin).status_code == 404


@pytest.mark.parametrize("scope", ["galaxy", "team:abc", "team:", "user:-1", "team:999999",
                                   "user:999999", "company:1"])
def test_a_bad_scope_is_422(client, arranged, scope):
    for response in (_get(client, arranged, scope=scope), _post(client, arranged, scope=scope)):
        assert response.status_code == 422
        assert response.get_json()["error"]["fields"]["scope"]


def test_a_viewer_never_reads_an_analysis_covering_what_they_may_not_see(app, client, arranged):
    _run(app, client, arranged, "admin")                       # covers the private objective
    assert _get(client, arranged, "dev").status_code == 404
    _run(app, client, arranged, "dev")
    mine = _get(client, arranged, "dev").get_json()
    ids = arranged.objective_ids
    assert mine["sections"]["subjects"]["objective_ids"] == sorted([ids["public"], ids["team"]])
    assert mine["scope"] == "company"
    seller = _run(app, client, arranged, "seller")
    seen = _get(client, arranged, "seller").get_json()
    assert seen["id"] == seller["id"]
    assert seen["sections"]["subjects"]["objective_ids"] == sorted([ids["public"], ids["private"]])


def test_an_everything_analysis_is_shared_with_a_viewer_who_may_see_all_it_covers(
        app, client, arranged, db):
    from okr_core.models import Objective
    db.get(Objective, arranged.objective_ids["private"]).archived = True
    db.commit()
    done = _run(app, client, arranged, "admin", scope=f"team:{arranged.team_ids['platform']}")
    got = _get(client, arranged, "dev", scope=f"team:{arranged.team_ids['platform']}")
    assert got.status_code == 200 and got.get_json()["id"] == done["id"]


def test_team_and_user_scopes_narrow_the_analysis(app, client, arranged):
    ids, team = arranged.objective_ids, arranged.team_ids
    _run(app, client, arranged, "admin", scope=f"team:{team['sales']}")
    sales = _get(client, arranged, "admin", scope=f"team:{team['sales']}").get_json()
    assert sales["sections"]["subjects"]["objective_ids"] == [ids["private"]]
    assert sales["scope"] == f"team:{team['sales']}"
    lead_id = arranged.users["lead"][0]
    _run(app, client, arranged, "admin", scope=f"user:{lead_id}")
    lead = _get(client, arranged, "admin", scope=f"user:{lead_id}").get_json()
    krs = arranged.kr_ids
    assert lead["sections"]["subjects"]["key_result_ids"] == sorted([krs["public"], krs["team"]])
    assert _get(client, arranged, "admin").status_code == 404   # no company analysis yet
