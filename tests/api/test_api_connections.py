"""Connections: admins only, validated without calling a tracker, secrets never echoed back."""
from __future__ import annotations

import pytest
from tests.api.api_world import SECRETS, error_of

from okr_core.domain import Role

CONN = "/api/v1/connections"
CONN_ID = "/connections/<int:connection_id>"
# Public address literals: the URL check needs no DNS (tests run offline).
JIRA_SITE, LINEAR_SITE = "https://93.184.216.34", "https://151.101.1.69"
JIRA_BODY = {"tracker": "jira", "name": "Acme Jira", "base_url": JIRA_SITE + "/",
             "credentials": {"email": "bot@acme.test", "api_token": SECRETS[0]},
             "webhook_secret": SECRETS[1], "settings": {"story_points_field": "customfield_1"}}
LINEAR_BODY = {"tracker": "linear", "name": "Acme Linear", "base_url": LINEAR_SITE,
               "credentials": {"api_key": SECRETS[2]}, "webhook_secret": SECRETS[3]}


def _assert_no_secret(response) -> None:
    raw = response.get_data(as_text=True)
    leaked = [s for s in SECRETS if s in raw]
    assert not leaked, f"secret echoed in {response.request.method} {response.request.path}"


@pytest.mark.route("POST /connections", "ok")
@pytest.mark.route("GET /connections", "ok")
@pytest.mark.route(f"GET {CONN_ID}", "ok")
def test_admin_creates_lists_and_reads_connections_without_seeing_secrets(client, admin):
    created = [client.post(CONN, json=body, headers=admin) for body in (JIRA_BODY, LINEAR_BODY)]
    for response in created:
        assert response.status_code == 201, response.get_json()
        _assert_no_secret(response)
    jira = created[0].get_json()
    assert jira["webhook_url"].endswith(f"/webhooks/jira/{jira['id']}")
    assert jira["base_url"] == JIRA_SITE
    assert (jira["credential_kind"], jira["has_webhook_secret"]) == ("api_token", True)
    assert created[1].get_json()["credential_kind"] == "api_key"
    listed = client.get(CONN, headers=admin)
    _assert_no_secret(listed)
    assert [c["name"] for c in listed.get_json()["items"]] == ["Acme Jira", "Acme Linear"]
    fetched = client.get(f"{CONN}/{jira['id']}", headers=admin)
    _assert_no_secret(fetched)
    assert fetched.get_json() == {k: v for k, v in jira.items() if k != "generated_webhook_secret"}


@pytest.mark.route(f"PATCH {CONN_ID}", "ok")
def test_admin_rotates_credentials_and_secret_without_seeing_them(client, admin, world):
    connection = world.connection()
    response = client.patch(f"{CONN}/{connection}", headers=admin, json={
        "name": "Jira DC", "credentials": {"personal_access_token": SECRETS[0] + "-new"},
        "webhook_secret": SECRETS[1] + "-new"})
    assert response.status_code == 200, response.get_json()
    _assert_no_secret(response)
    assert response.get_json()["name"] == "Jira DC"
    assert response.get_json()["credential_kind"] == "personal_access_token"
    cleared = client.patch(f"{CONN}/{connection}", json={"webhook_secret": None}, headers=admin)
    assert "webhook_secret" in error_of(cleared, 422)["fields"]  # replaced, never cleared


@pytest.mark.route("POST /connections", "ok")
def test_a_connection_created_without_secret_gets_one_shown_once(client, admin, app):
    body = {key: value for key, value in JIRA_BODY.items() if key != "webhook_secret"}
    created = client.post(CONN, json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    secret = created.get_json()["generated_webhook_secret"]
    assert len(secret) >= 32 and created.get_json()["has_webhook_secret"] is True
    fetched = client.get(f"{CONN}/{created.get_json()['id']}", headers=admin)
    assert secret not in fetched.get_data(as_text=True)
    given = client.post(CONN, json=JIRA_BODY, headers=admin)
    assert given.get_json()["generated_webhook_secret"] is None


@pytest.mark.route(f"DELETE {CONN_ID}", "ok")
@pytest.mark.route(f"DELETE {CONN_ID}", "error")
@pytest.mark.route(f"GET {CONN_ID}", "error")
def test_deleted_connection_is_gone_and_unknown_ids_answer_404(client, admin, world):
    connection = world.connection()
    assert client.delete(f"{CONN}/{connection}", headers=admin).status_code == 204
    error_of(client.get(f"{CONN}/{connection}", headers=admin), 404, "not_found")
    error_of(client.delete(f"{CONN}/{connection}", headers=admin), 404, "not_found")
    error_of(client.patch(f"{CONN}/999999", json={"name": "x"}, headers=admin), 404)


@pytest.mark.route("POST /connections", "error")
@pytest.mark.route("GET /connections", "error")
@pytest.mark.route(f"PATCH {CONN_ID}", "error")
def test_only_admins_see_or_change_connections(client, actors, world):
    connection = world.connection()
    _, lead = actors.user(Role.LEAD)
    error_of(client.post(CONN, json=JIRA_BODY, headers=lead), 403, "forbidden")
    error_of(client.get(CONN, headers=lead), 403, "forbidden")
    error_of(client.get(f"{CONN}/{connection}", headers=lead), 403, "forbidden")
    error_of(client.patch(f"{CONN}/{connection}", json={"name": "x"}, headers=lead), 403)
    error_of(client.delete(f"{CONN}/{connection}", headers=lead), 403, "forbidden")


def test_missing_and_wrongly_typed_fields_are_named_with_422(client, admin):
    error = error_of(client.post(CONN, json={"name": 5, "credentials": "x"}, headers=admin),
                     422, "invalid_fields")
    assert set(error["fields"]) == {"tracker", "name", "base_url", "credentials"}
    bad_tracker = client.post(CONN, json={**JIRA_BODY, "tracker": "asana"}, headers=admin)
    assert "tracker" in error_of(bad_tracker, 422)["fields"]
    short = client.post(CONN, json={**JIRA_BODY, "webhook_secret": "short"}, headers=admin)
    assert "webhook_secret" in error_of(short, 422)["fields"]


@pytest.mark.parametrize("tracker,credentials", [
    ("jira", {"email": "bot@acme.test"}),
    ("jira", {"api_token": SECRETS[0]}),
    ("jira", {"email": "bot@acme.test", "api_token": SECRETS[0],
              "personal_access_token": SECRETS[0]}),
    ("jira", {"api_key": SECRETS[2]}),
    ("linear", {}),
    ("linear", {"api_key": SECRETS[2], "oauth_token": SECRETS[2]}),
    ("linear", {"email": "bot@acme.test", "api_token": SECRETS[0]}),
])
def test_credentials_of_the_wrong_shape_for_the_tracker_are_refused(client, admin, tracker,
                                                                     credentials):
    body = {**(JIRA_BODY if tracker == "jira" else LINEAR_BODY), "credentials": credentials}
    response = client.post(CONN, json=body, headers=admin)
    error = error_of(response, 422, "invalid_fields")
    assert all(name.startswith("credentials") for name in error["fields"]), error
    _assert_no_secret(response)


@pytest.mark.parametrize("url", [
    "https://127.0.0.1", "https://127.0.0.1:8443/jira", "http://93.184.216.34",
    "https://10.1.2.3", "https://169.254.169.254/latest", "https://[::1]/",
    "ftp://93.184.216.34", "https://user:pw@93.184.216.34", "not a url at all",
    "https://no-such-host.invalid",
])
def test_private_loopback_plain_http_and_odd_urls_are_refused(client, admin, world, url):
    error = error_of(client.post(CONN, json={**JIRA_BODY, "base_url": url}, headers=admin), 422)
    assert set(error["fields"]) == {"base_url"}
    connection = world.connection()
    patched = client.patch(f"{CONN}/{connection}", json={"base_url": url}, headers=admin)
    assert set(error_of(patched, 422)["fields"]) == {"base_url"}


def test_an_admin_allowlist_lets_a_loopback_tracker_in(app, client, admin):
    app.config["OUTBOUND_ALLOWLIST_EXTRA"] = ("127.0.0.1",)
    body = {**JIRA_BODY, "base_url": "http://127.0.0.1:8080/jira"}
    response = client.post(CONN, json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["base_url"] == "http://127.0.0.1:8080/jira"
    error_of(client.post(CONN, json={**body, "base_url": "https://10.1.2.3"}, headers=admin), 422)


def test_a_settings_allowlist_cidr_lets_a_private_tracker_in(settings, client, admin, app):
    app.config["SETTINGS"] = settings.with_overrides(outbound_allowlist=("127.0.0.0/8",))
    body = {**LINEAR_BODY, "base_url": "https://127.0.0.2:9443"}
    response = client.post(CONN, json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
