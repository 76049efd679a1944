"""Connections in the admin pages: form failures, secrets kept and never shown, tests, webhooks."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from okr_core.models import AuditEntry, Connection
from tests.okrsync.admin.conftest import PLANTED
from tests.okrsync.admin.web import post_form, read_rows
from tests.simtracker import SimTracker

NEW = "/admin/connections/new"
PUBLIC = "https://93.184.216.34"  # a public address: passes the outbound check without DNS


@pytest.fixture
def sim():
    with SimTracker.start(issues=5) as tracker:
        yield tracker


def allow(admin_client, *hosts: str) -> None:
    response = post_form(admin_client, "/admin/llm", "/admin/allowlist", hosts="\n".join(hosts))
    assert response.status_code == 200, response.data


def jira_fields(base_url: str, **overrides) -> dict:
    fields = {"tracker": "jira", "name": "Acme Jira", "base_url": base_url,
              "deployment": "cloud", "jira_email": "bot@acme.example",
              "jira_api_token": PLANTED.jira_token}
    fields.update(overrides)
    return fields


def create_jira(admin_client, base_url: str, **overrides):
    return post_form(admin_client, NEW, **jira_fields(base_url, **overrides))


def only_connection(db) -> Connection:
    (connection,) = read_rows(db, select(Connection))
    return connection


@pytest.mark.parametrize("overrides, message", [
    ({"name": ""}, "Fill this in."),
    ({"base_url": ""}, "Fill this in."),
    ({"base_url": "not a url"}, "Enter an absolute URL."),
    ({"jira_api_token": ""}, "give either {email, api_token} or {personal_access_token}"),
    ({"jira_email": "not-an-email"}, "Enter an email address such as name@example.com."),
    ({"tracker": "trello"}, "Pick one of the choices."),
    ({"base_url": "https://10.1.2.3"}, "private, loopback or link-local"),
    ({"base_url": "https://169.254.169.254/latest"}, "private, loopback or link-local"),
    ({"base_url": "http://127.0.0.1:9"}, "must use https"),
])
def test_a_bad_connection_form_is_422_with_the_reason_and_stores_nothing(admin_client, db,
                                                                          overrides, message):
    response = post_form(admin_client, NEW, **{**jira_fields(PUBLIC), **overrides})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert read_rows(db, select(Connection)) == []


def test_a_linear_connection_needs_a_key_or_token(admin_client, db):
    response = post_form(admin_client, NEW, tracker="linear", name="Lin",
                         base_url=PUBLIC)
    assert response.status_code == 422
    assert "give either {api_key} or {oauth_token}" in response.get_data(as_text=True)


def test_creating_shows_the_webhook_url_and_a_generated_secret_once(admin_client, app, db):
    response = create_jira(admin_client, PUBLIC)
    page = response.get_data(as_text=True)
    assert response.status_code == 201
    connection = only_connection(db)
    assert f"/webhooks/jira/{connection.id}" in page
    secret = re.search(r'id="webhook-secret">([^<]+)<', page).group(1)
    assert len(secret) >= 40
    with app.app_context():
        from plumbing.services import secret_box
        assert secret_box().decrypt(connection.webhook_secret_encrypted) == secret
    again = admin_client.get(f"/admin/connections/{connection.id}").get_data(as_text=True)
    assert secret not in again and "set (not shown again)" in again
    assert "Settings (⚙) → System → WebHooks" in again


def test_secrets_are_stored_encrypted(admin_client, db):
    create_jira(admin_client, PUBLIC)
    connection = only_connection(db)
    assert PLANTED.jira_token not in connection.credentials_encrypted


def test_editing_with_blank_secrets_keeps_them_and_never_prefills_them(admin_client, app, db):
    create_jira(admin_client, PUBLIC)
    connection = only_connection(db)
    page = f"/admin/connections/{connection.id}/edit"
    form = admin_client.get(page).get_data(as_text=True)
    assert "set — leave blank to keep" in form and "bot@acme.example" in form
    response = post_form(admin_client, page, **jira_fields(PUBLIC,
                                                            name="Renamed", jira_api_token=""))
    assert response.status_code == 302
    with app.app_context():
        from plumbing.services import secret_box
        stored = secret_box().decrypt_json(only_connection(db).credentials_encrypted)
    assert stored == {"email": "bot@acme.example", "api_token": PLANTED.jira_token}
    assert only_connection(db).name == "Renamed"


def test_a_personal_access_token_replaces_email_and_api_token(admin_client, app, db):
    create_jira(admin_client, PUBLIC)
    connection = only_connection(db)
    post_form(admin_client, f"/admin/connections/{connection.id}/edit",
              **jira_fields(PUBLIC, deployment="datacenter", jira_email="",
                            jira_api_token="", jira_personal_access_token=PLANTED.jira_pat))
    with app.app_context():
        from plumbing.services import secret_box
        stored = secret_box().decrypt_json(only_connection(db).credentials_encrypted)
    assert stored == {"personal_access_token": PLANTED.jira_pat}


def test_testing_a_connection_through_the_simulated_jira_names_the_account(admin_client, db,
                                                                           sim):
    allow(admin_client, "127.0.0.1")
    create_jira(admin_client, sim.url)
    connection = only_connection(db)
    page = post_form(admin_client, f"/admin/connections/{connection.id}",
                     f"/admin/connections/{connection.id}/test").get_data(as_text=True)
    assert "Connection works." in page and "Sim Bot" in page
    assert any(call.path == "/rest/api/3/mypermissions" for call in sim.calls)
    # The site's cloud id is recorded (the Jira app's calls are bound to it) and shown.
    assert only_connection(db).cloud_id == sim.jira.cloud_id
    assert f"Jira site (cloud id):\n    <code>{sim.jira.cloud_id}</code>" in page


def test_moving_a_connection_to_another_host_forgets_its_site(admin_client, db, sim):
    allow(admin_client, "127.0.0.1", "93.184.216.34")
    create_jira(admin_client, sim.url)
    connection = only_connection(db)
    post_form(admin_client, f"/admin/connections/{connection.id}",
              f"/admin/connections/{connection.id}/test")
    assert only_connection(db).cloud_id == sim.jira.cloud_id
    post_form(admin_client, f"/admin/connections/{connection.id}/edit",
              **jira_fields(PUBLIC, jira_api_token=""))
    assert only_connection(db).cloud_id is None
    page = admin_client.get(f"/admin/connections/{connection.id}").get_data(as_text=True)
    assert "not recorded yet" in page


@pytest.mark.parametrize("arrange, message", [
    (lambda sim: setattr(sim, "auth_ok", False), "Jira rejected the credentials (401)"),
    (lambda sim: sim.deny_permission("CREATE_ISSUES"), "lacks the Jira permission CREATE_ISSUES"),
    (lambda sim: sim.inject("503", 3), "Could not talk to Jira"),
])
def test_a_failing_connection_test_says_what_is_wrong(admin_client, db, sim, arrange, message):
    allow(admin_client, "127.0.0.1")
    create_jira(admin_client, sim.url)
    arrange(sim)
    connection = only_connection(db)
    page = post_form(admin_client, f"/admin/connections/{connection.id}",
                     f"/admin/connections/{connection.id}/test").get_data(as_text=True)
    assert "Connection test failed." in page and message in page


def test_a_connection_whose_host_left_the_allowlist_is_refused_without_a_call(admin_client,
                                                                              db, sim):
    allow(admin_client, "127.0.0.1")
    create_jira(admin_client, sim.url)
    allow(admin_client)
    connection = only_connection(db)
    page = post_form(admin_client, f"/admin/connections/{connection.id}",
                     f"/admin/connections/{connection.id}/test").get_data(as_text=True)
    assert "The URL is refused" in page
    assert sim.calls == []


def test_the_api_test_route_uses_the_same_check(admin_client, admin, client, db, sim):
    allow(admin_client, "127.0.0.1")
    create_jira(admin_client, sim.url)
    connection = only_connection(db)
    ok = client.post(f"/api/v1/connections/{connection.id}/test", headers=admin)
    assert ok.status_code == 200
    assert ok.json["ok"] is True and ok.json["account"] == "Sim Bot"
    shown = client.get(f"/api/v1/connections/{connection.id}", headers=admin).json
    assert shown["cloud_id"] == sim.jira.cloud_id
    moved = client.patch(f"/api/v1/connections/{connection.id}", headers=admin,
                         json={"base_url": PUBLIC}).json
    assert moved["cloud_id"] is None
    client.patch(f"/api/v1/connections/{connection.id}", headers=admin, json={"base_url": sim.url})
    sim.auth_ok = False
    failed = client.post(f"/api/v1/connections/{connection.id}/test", headers=admin).json
    assert failed["ok"] is False and "rejected the credentials" in failed["message"]
    assert client.post("/api/v1/connections/999/test", headers=admin).status_code == 404


def test_the_api_test_route_is_for_admins_only(actors, client, db, admin_client, sim):
    from okr_core.domain import Role

    allow(admin_client, "127.0.0.1")
    create_jira(admin_client, sim.url)
    lead = actors.user(Role.LEAD)[1]
    response = client.post(f"/api/v1/connections/{only_connection(db).id}/test", headers=lead)
    assert response.status_code == 403


def test_regenerating_the_webhook_secret_shows_the_new_one_once(admin_client, db):
    create_jira(admin_client, PUBLIC)
    connection = only_connection(db)
    before = connection.webhook_secret_encrypted
    page = post_form(admin_client, f"/admin/connections/{connection.id}",
                     f"/admin/connections/{connection.id}/webhook-secret").get_data(as_text=True)
    assert re.search(r'id="webhook-secret">[^<]{40,}<', page)
    assert only_connection(db).webhook_secret_encrypted != before


def test_linear_instructions_ask_for_linears_own_signing_secret(admin_client, db):
    post_form(admin_client, NEW, tracker="linear", name="Lin", base_url=PUBLIC,
              linear_api_key=PLANTED.linear_key, webhook_secret=PLANTED.linear_webhook_secret)
    connection = only_connection(db)
    page = admin_client.get(f"/admin/connections/{connection.id}").get_data(as_text=True)
    assert "signing secret" in page and f"/webhooks/linear/{connection.id}" in page
    assert 'id="webhook-secret"' not in page  # the admin typed it: nothing to show


def test_connection_changes_are_in_the_audit_log(admin_client, db):
    create_jira(admin_client, PUBLIC)
    actions = read_rows(db, select(AuditEntry.action))
    assert "connection.created" in actions
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Connection added" in page and "Acme Jira" in page and "tracker: Jira" in page
    assert "connection.created" not in page and "base_url" not in page


def test_the_api_test_route_is_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").json
    operation = document["paths"]["/api/v1/connections/{connection_id}/test"]["post"]
    assert "tracker" in operation["summary"]


def test_testing_a_linear_connection_through_the_simulator_works_too(admin_client, db, sim):
    allow(admin_client, "127.0.0.1")
    post_form(admin_client, NEW, tracker="linear", name="Sim Linear", base_url=sim.url,
              linear_api_key=PLANTED.linear_key)
    connection = only_connection(db)
    page = post_form(admin_client, f"/admin/connections/{connection.id}",
                     f"/admin/connections/{connection.id}/test").get_data(as_text=True)
    assert "Connection works." in page
    assert any(call.path == "/graphql" for call in sim.calls)
    sim.auth_ok = False
    page = post_form(admin_client, f"/admin/connections/{connection.id}",
                     f"/admin/connections/{connection.id}/test").get_data(as_text=True)
    assert "Linear rejected the credentials" in page


def test_deleting_a_connection_needs_its_name_typed(admin_client, db):
    create_jira(admin_client, PUBLIC)
    connection = only_connection(db)
    page = f"/admin/connections/{connection.id}"
    action = f"/admin/connections/{connection.id}/delete"
    for typed, message in (("", "Fill this in."),
                           ("Acme", "That is not this connection&#39;s name; nothing was deleted.")):
        response = post_form(admin_client, page, action, confirm_name=typed)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert only_connection(db).id == connection.id
    refused = admin_client.post(action, data={"confirm_name": "Acme Jira"})   # no CSRF token
    assert refused.status_code in (400, 422)
    assert only_connection(db).id == connection.id


def test_deleting_a_connection_removes_its_work_and_is_audited(admin_client, app, db, sim):
    from datetime import datetime, timezone

    from okr_core.domain import StatusCategory
    from okr_core.models import WorkItem
    from okr_core.store import session_scope

    create_jira(admin_client, PUBLIC)
    connection = only_connection(db)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        session.add(WorkItem(connection_id=connection.id, external_id="1", key="SIM-1", title="t",
                             status_category=StatusCategory.TODO,
                             tracker_updated_at=datetime.now(timezone.utc)))
    response = post_form(admin_client, f"/admin/connections/{connection.id}",
                         f"/admin/connections/{connection.id}/delete", confirm_name=" Acme Jira ")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/")
    assert read_rows(db, select(Connection)) == [] and read_rows(db, select(WorkItem)) == []
    assert "connection.deleted" in read_rows(db, select(AuditEntry.action))
    assert admin_client.get(f"/admin/connections/{connection.id}").status_code == 404


def test_only_admins_may_delete_a_connection(admin_client, signed_in, db):
    from okr_core.domain import Role

    create_jira(admin_client, PUBLIC)
    connection = only_connection(db)
    member = signed_in(Role.MEMBER)
    response = post_form(member, "/login", f"/admin/connections/{connection.id}/delete",
                         confirm_name="Acme Jira")
    assert response.status_code == 403
    assert only_connection(db).id == connection.id
