"""POST /connections/<id>/reconcile and GET /connections/<id>/sync-status."""
from __future__ import annotations

from datetime import datetime, timezone

from okr_core.domain import Role, TrackerKind
from okr_core.models import SyncState
from tests.sync.sync_world import FAST


def status_of(client, admin, connection_id: int):
    return client.get(f"/api/v1/connections/{connection_id}/sync-status", headers=admin)


def test_reconcile_is_queued_and_its_outcome_shows_in_sync_status(app, client, admin, sim, jira,
                                                                   sync_world):
    sync_world.team(jira)   # a team homed in project SIM: the pass reads that project
    before = status_of(client, admin, jira).get_json()
    assert (before["last_kind"], before["running"], before["cursor"]) == (None, False, None)
    response = client.post(f"/api/v1/connections/{jira}/reconcile", headers=admin)
    assert response.status_code == 202
    body = response.get_json()
    assert (body["connection_id"], body["full"], bool(body["job_id"])) == (jira, False, True)
    app.extensions["okrsync.queue"].drain(timeout=30)
    after = status_of(client, admin, jira).get_json()
    assert (after["last_kind"], after["last_error"], after["running"]) == ("incremental", None, False)
    assert after["last_counts"]["items_read"] == 300 and after["cursor"]
    assert after["last_finished_at"] >= after["last_started_at"]


def test_full_reconcile_is_asked_with_a_query_flag(app, client, admin, sim, jira):
    response = client.post(f"/api/v1/connections/{jira}/reconcile?full=true", headers=admin)
    assert (response.status_code, response.get_json()["full"]) == (202, True)
    app.extensions["okrsync.queue"].drain(timeout=30)
    assert status_of(client, admin, jira).get_json()["last_kind"] == "full"


def test_a_running_pass_answers_409_and_shows_as_running(app, client, admin, jira, sync_world):
    with sync_world.scope() as session:   # what the DB claim of a pass in another process leaves
        session.add(SyncState(connection_id=jira, last_started_at=datetime.now(timezone.utc),
                              last_counts={}))
    response = client.post(f"/api/v1/connections/{jira}/reconcile", headers=admin)
    running = status_of(client, admin, jira).get_json()["running"]
    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "reconcile_running")
    assert running is True


def test_unknown_connections_answer_404(client, admin):
    for response in (client.post("/api/v1/connections/999/reconcile", headers=admin),
                     client.get("/api/v1/connections/999/sync-status", headers=admin)):
        assert (response.status_code, response.get_json()["error"]["code"]) == (404, "not_found")


def test_only_admins_reconcile_or_read_sync_status(client, actors, sync_world):
    connection = sync_world.connection(TrackerKind.JIRA, "https://jira.example.test")
    lead = actors.user(Role.LEAD)[1]
    assert client.post(f"/api/v1/connections/{connection}/reconcile", headers=lead).status_code == 403
    assert client.get(f"/api/v1/connections/{connection}/sync-status", headers=lead).status_code == 403
    assert client.post(f"/api/v1/connections/{connection}/reconcile").status_code == 401


def test_a_malformed_full_flag_is_422(client, admin, sync_world):
    connection = sync_world.connection(TrackerKind.LINEAR, "https://linear.example.test", **FAST)
    response = client.post(f"/api/v1/connections/{connection}/reconcile?full=perhaps", headers=admin)
    assert (response.status_code, response.get_json()["error"]["fields"]) == (422, {"full": "true or false"})


def test_the_sync_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/connections/{connection_id}/reconcile"]
    assert "get" in paths["/api/v1/connections/{connection_id}/sync-status"]
