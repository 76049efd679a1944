"""Embeddable views and the Forge Remote endpoints: who may load them, who may frame them."""
from __future__ import annotations

from sqlalchemy import select

from okr_core.models import Connection, Team
from tests.ui_panel.conftest import ACCOUNT, linked_issue, scalar
from tests.ui_panel.forge_tokens import SITE, ForgeSigner


def test_panels_need_a_session_or_a_forge_token(client, db, demo):
    team_id = scalar(db, select(Team.id))
    response = client.get(f"/panel/team/{team_id}")
    assert response.status_code == 401
    assert "Sign in to okrsync" in response.text


def test_panel_is_frameable_only_by_tracker_sites(admin_client, db, demo):
    team_id = scalar(db, select(Team.id).where(Team.name == "Platform"))
    response = admin_client.get(f"/panel/team/{team_id}")
    assert response.status_code == 200
    assert "A sync engine that never loses an update" in response.text
    csp = response.headers["Content-Security-Policy"]
    assert ("frame-ancestors https://northwind-demo.atlassian.net https://*.atlassian.net "
            "https://linear.app") in csp
    assert "X-Frame-Options" not in response.headers
    assert admin_client.get("/").headers["X-Frame-Options"] == "DENY"


def test_issue_panel_lists_the_key_results_the_issue_moves(admin_client, db, demo):
    connection_id, key, kr_title = linked_issue(db)
    page = admin_client.get(f"/panel/issue/{connection_id}/{key}")
    assert page.status_code == 200
    assert kr_title in page.text and 'class="bar-fill status-' in page.text
    unknown = admin_client.get(f"/panel/issue/{connection_id}/NOPE-1")
    assert "has not synced NOPE-1" in unknown.text
    assert admin_client.get(f"/panel/issue/9999/{key}").status_code == 404


def test_forge_issue_endpoint_answers_for_the_token_user(client, db, forge):
    _, key, kr_title = linked_issue(db)
    claims = forge.claims(ACCOUNT, context={"cloudId": SITE, "extension": {"issue": {"key": key}}})
    response = client.post("/panel/forge/issue", json={},
                           headers={"Authorization": f"Bearer {forge.token(claims)}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["issue"] == key and body["synced"] is True
    assert kr_title in [kr["title"] for kr in body["key_results"]]
    assert {"progress", "status", "status_text", "confidence"} <= set(body["key_results"][0])


def test_forge_project_endpoint_returns_the_home_teams_tree(client, forge):
    claims = forge.claims(ACCOUNT, context={"extension": {"project": {"key": "PLAT"}}})
    response = client.post("/panel/forge/project",
                           headers={"Authorization": f"Bearer {forge.token(claims)}"})
    assert response.status_code == 200
    titles = [o["title"] for o in response.get_json()["objectives"]]
    assert "A sync engine that never loses an update" in titles


def test_forge_endpoints_refuse_missing_invalid_and_unlinked_tokens(client, forge):
    assert client.post("/panel/forge/issue", json={"issueKey": "PLAT-1"}).status_code == 401
    bad = {"Authorization": "Bearer " + ForgeSigner().token()}  # key not in the JWKS
    assert client.post("/panel/forge/issue", json={"issueKey": "PLAT-1"},
                       headers=bad).status_code == 401
    stranger = {"Authorization": "Bearer " + forge.token(forge.claims("unknown-account"))}
    assert client.post("/panel/forge/issue", json={"issueKey": "PLAT-1"},
                       headers=stranger).status_code == 403


def test_a_forge_token_also_opens_the_html_panel(client, db, forge):
    team_id = scalar(db, select(Team.id).where(Team.name == "Platform"))
    response = client.get(f"/panel/team/{team_id}",
                          headers={"Authorization": f"Bearer {forge.token()}"})
    assert response.status_code == 200
    assert "A sync engine that never loses an update" in response.text


def test_connection_sites_join_the_frame_allowlist(admin_client, db, demo):
    db.add(Connection(tracker="linear", name="Linear", base_url="https://linear.example.org/x"))
    db.commit()
    team_id = scalar(db, select(Team.id))
    csp = admin_client.get(f"/panel/team/{team_id}").headers["Content-Security-Policy"]
    assert "https://linear.example.org " in csp
