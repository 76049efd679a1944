"""Forge calls from each kind of installation, signed with a local key pair and JWKS: only an
installation on a connected site, in an allowed environment, for a linked user is served, and
every answer (data or refusal) is JSON with the API's error format."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from okr_core.models import Connection, KeyResult, User
from tests.ui_panel.conftest import ACCOUNT, linked_issue, scalar
from tests.ui_panel.forge_tokens import SITE, SITE_URL

OTHER_SITE = "cloud-2"


def _post(client, signer, claims, path="/panel/forge/issue", body=None):
    return client.post(path, json=body if body is not None else {},
                       headers={"Authorization": f"Bearer {signer.token(claims)}"})


def _issue_claims(signer, key, **kwargs):
    claims = signer.claims(kwargs.pop("account_id", ACCOUNT), **kwargs)
    claims["context"]["extension"] = {"type": "jira:issuePanel", "issue": {"key": key}}
    return claims


def _refusal(response, status: int, code: str) -> str:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error["message"]


def test_a_call_from_the_connected_site_gets_the_krs_the_issue_moves(client, db, forge):
    _, key, kr_title = linked_issue(db)
    response = _post(client, forge, _issue_claims(forge, key))
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["synced"] is True
    kr = next(kr for kr in body["key_results"] if kr["title"] == kr_title)
    assert kr["status_text"] in ("On track", "At risk", "Off track") and kr["progress_text"]



def test_the_panel_marks_the_krs_the_caller_owns(client, db, forge):
    _, key, kr_title = linked_issue(db)
    kr = db.scalar(select(KeyResult).where(KeyResult.title == kr_title))
    caller = db.scalar(select(User).where(User.jira_account_id == ACCOUNT))
    someone = db.scalar(select(User).where(User.id != caller.id).order_by(User.id))
    kr.owner_id, name = caller.id, caller.name
    db.commit()
    shown = _post(client, forge, _issue_claims(forge, key)).get_json()["key_results"]
    assert [(k["yours"], k["owner"]) for k in shown if k["title"] == kr_title] == [(True, name)]
    kr = db.scalar(select(KeyResult).where(KeyResult.title == kr_title))
    kr.owner_id, name = someone.id, someone.name
    db.commit()
    shown = _post(client, forge, _issue_claims(forge, key)).get_json()["key_results"]
    assert [(k["yours"], k["owner"]) for k in shown if k["title"] == kr_title] == [(False, name)]


def test_an_unknown_site_is_refused_even_when_its_page_names_ours(client, db, forge):
    _, key, _ = linked_issue(db)
    claims = _issue_claims(forge, key, site=OTHER_SITE,
                           installation="ari:cloud:ecosystem::installation/2")
    claims["context"]["cloudId"] = SITE  # what the page says decides nothing
    message = _refusal(_post(client, forge, claims, body={"issueKey": key}),
                       403, "site_not_connected")
    assert message == "This Jira site is not connected to okrsync."


def test_another_installation_of_the_app_does_not_take_over_an_unbound_connection(
        client, db, forge):
    """A second installation (another site) whose context claims our site's URL and cloud id:
    the context's cloud id is not one of that installation's sites, so nothing is bound."""
    _, key, _ = linked_issue(db)
    for connection in db.scalars(select(Connection)):
        connection.cloud_id = None
    db.commit()
    claims = _issue_claims(forge, key, site=OTHER_SITE,
                           installation="ari:cloud:ecosystem::installation/2")
    claims["context"].update(cloudId=SITE, siteUrl=SITE_URL)
    _refusal(_post(client, forge, claims), 403, "site_not_connected")
    assert scalar(db, select(Connection.id).where(Connection.cloud_id.is_not(None))) is None


def test_the_first_verified_call_from_a_connections_site_binds_it(client, db, forge):
    _, key, kr_title = linked_issue(db)
    for connection in db.scalars(select(Connection)):
        connection.cloud_id = None
    db.commit()
    response = _post(client, forge, _issue_claims(forge, key))
    assert response.status_code == 200
    assert kr_title in [kr["title"] for kr in response.get_json()["key_results"]]
    bound = scalar(db, select(Connection.base_url).where(Connection.cloud_id == SITE))
    assert bound == SITE_URL
    other = _issue_claims(forge, key, site=OTHER_SITE,
                          installation="ari:cloud:ecosystem::installation/3")
    _refusal(_post(client, forge, other), 403, "site_not_connected")


@pytest.mark.parametrize("environment", ["DEVELOPMENT", "STAGING"])
def test_development_and_staging_installs_see_no_production_data(client, db, forge, environment):
    _, key, _ = linked_issue(db)
    claims = _issue_claims(forge, key, environment=environment,
                           installation="ari:cloud:ecosystem::installation/dev")
    message = _refusal(_post(client, forge, claims), 403, "environment_not_allowed")
    assert environment.lower() in message


def test_a_development_environment_is_served_when_configured(app, client, db, forge):
    _, key, kr_title = linked_issue(db)
    app.config["FORGE_ENVIRONMENTS"] = "production, development"
    response = _post(client, forge, _issue_claims(forge, key, environment="DEVELOPMENT"))
    assert response.status_code == 200
    assert kr_title in [kr["title"] for kr in response.get_json()["key_results"]]


def test_a_call_without_a_principal_is_refused(client, db, forge):
    _, key, _ = linked_issue(db)
    claims = _issue_claims(forge, key, account_id=None)
    claims["context"]["accountId"] = ACCOUNT  # no fallback to the context's account
    _refusal(_post(client, forge, claims), 403, "no_principal")


def test_a_principal_without_an_okrsync_user_is_not_linked(client, db, forge):
    _, key, _ = linked_issue(db)
    message = _refusal(_post(client, forge, _issue_claims(forge, key, account_id="557058:new")),
                       403, "not_linked")
    assert "not linked to an okrsync user" in message


def test_an_inactive_licence_is_refused(client, db, forge):
    _, key, _ = linked_issue(db)
    claims = _issue_claims(forge, key)
    claims["app"]["license"] = {"isActive": False, "type": "COMMERCIAL"}
    _refusal(_post(client, forge, claims), 403, "license_inactive")
    claims["app"]["license"] = {"isActive": True, "type": "COMMERCIAL"}
    assert _post(client, forge, claims).status_code == 200


@pytest.mark.parametrize("shift, status", [(20, 200), (60, 401)])
def test_a_token_from_a_clock_ahead_is_accepted_within_the_leeway(client, db, forge, shift,
                                                                   status):
    _, key, _ = linked_issue(db)
    ahead = int(time.time()) + shift
    claims = _issue_claims(forge, key, iat=ahead, nbf=ahead, exp=ahead + 25)
    response = _post(client, forge, claims)
    if status == 200:
        assert response.status_code == 200 and response.get_json()["synced"] is True
    else:
        _refusal(response, 401, "invalid_token")


@pytest.mark.parametrize("age, status", [(40, 200), (90, 401)])
def test_a_token_from_a_clock_behind_is_accepted_within_the_leeway(client, db, forge, age,
                                                                    status):
    _, key, _ = linked_issue(db)
    issued = int(time.time()) - age
    response = _post(client, forge, _issue_claims(forge, key, iat=issued, nbf=issued,
                                                  exp=issued + 25))
    if status == 200:
        assert response.status_code == 200
    else:
        _refusal(response, 401, "invalid_token")


def test_missing_and_forged_tokens_are_json_401(client, forge):
    _refusal(client.post("/panel/forge/issue", json={"issueKey": "PLAT-1"}), 401,
             "invalid_token")
    _refusal(client.post("/panel/forge/issue", headers={"Authorization": "Bearer nope"}), 401,
             "invalid_token")


def test_an_unconfigured_forge_app_answers_json_503(app, client, demo):
    app.config["FORGE_APP_ID"] = None
    response = client.post("/panel/forge/issue", headers={"Authorization": "Bearer x.y.z"})
    _refusal(response, 503, "forge_not_configured")


def test_bad_input_and_unknown_routes_answer_json(client, db, forge):
    claims = forge.claims(ACCOUNT)
    _refusal(_post(client, forge, claims, body={"issueKey": ""}), 422, "invalid_fields")
    _refusal(_post(client, forge, claims, body={"issueKey": "K" * 300}), 422, "invalid_fields")
    _refusal(_post(client, forge, claims, path="/panel/forge/nothing"), 404, "not_found")
    _refusal(client.put("/panel/forge/issue"), 405, "method_not_allowed")


def test_the_project_page_shows_only_teams_homed_on_the_callers_site(client, db, forge):
    claims = forge.claims(ACCOUNT)
    claims["context"]["extension"] = {"type": "jira:projectPage", "project": {"key": "PLAT"}}
    served = _post(client, forge, claims, path="/panel/forge/project").get_json()
    assert "A sync engine that never loses an update" in [o["title"] for o in served["objectives"]]
    other = db.scalar(select(Connection).where(Connection.tracker == "jira"))
    other.cloud_id = OTHER_SITE  # the demo's project now belongs to another site
    db.add(Connection(tracker="jira", name="Ours", base_url="https://ours.atlassian.net",
                      cloud_id=SITE))
    db.commit()
    empty = _post(client, forge, claims, path="/panel/forge/project").get_json()
    assert empty["objectives"] == [] and empty["cycle"] is None


def test_a_forge_token_opens_html_panels_of_its_own_site_only(client, db, forge):
    connection_id, key, _ = linked_issue(db)
    headers = {"Authorization": f"Bearer {forge.token(forge.claims(ACCOUNT))}"}
    assert client.get(f"/panel/issue/{connection_id}/{key}", headers=headers).status_code == 200
    stranger = forge.claims(ACCOUNT, site=OTHER_SITE, installation="ari:cloud:ecosystem::installation/9")
    refused = client.get(f"/panel/issue/{connection_id}/{key}",
                         headers={"Authorization": f"Bearer {forge.token(stranger)}"})
    assert refused.status_code == 403


def test_the_callers_waiting_drafted_check_in_is_offered_on_their_kr(client, db, forge):
    from datetime import date

    from okr_core.models import CheckInDraft

    _, key, kr_title = linked_issue(db)
    kr = db.scalar(select(KeyResult).where(KeyResult.title == kr_title))
    caller = db.scalar(select(User).where(User.jira_account_id == ACCOUNT))
    kr.owner_id = caller.id
    draft = CheckInDraft(key_result_id=kr.id, owner_id=caller.id, week_start=date(2026, 11, 23))
    db.add(draft)
    db.commit()
    shown = _post(client, forge, _issue_claims(forge, key)).get_json()["key_results"]
    [mine] = [k for k in shown if k["title"] == kr_title]
    assert mine["check_in_draft"]["id"] == draft.id
    assert mine["check_in_draft"]["url"].endswith(f"/check-in-drafts/{draft.id}")
    draft.state = "approved"
    db.commit()
    shown = _post(client, forge, _issue_claims(forge, key)).get_json()["key_results"]
    assert [k["check_in_draft"] for k in shown if k["title"] == kr_title] == [None]
