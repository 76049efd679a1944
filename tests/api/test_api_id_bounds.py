"""Ids beyond what either store holds are 404 or 422, never a 500 (SQLite 2**63, PostgreSQL 2**31)."""
from __future__ import annotations

import pytest
from tests.api.api_world import error_of

HUGE = ["2147483648", "9223372036854775808", "99999999999999999999"]


@pytest.mark.parametrize("ident", HUGE)
@pytest.mark.parametrize("path", ["/api/v1/objectives/{}", "/api/v1/key-results/{}",
                                  "/api/v1/teams/{}", "/api/v1/cycles/{}/tree"])
def test_an_out_of_range_id_in_the_path_is_404(client, admin, path, ident):
    error_of(client.get(path.format(ident), headers=admin), 404)


@pytest.mark.parametrize("ident", [2**31, 2**63, 10**20])
def test_an_out_of_range_id_in_the_body_is_422(client, admin, ident):
    response = client.post("/api/v1/objectives", headers=admin,
                           json={"cycle_id": ident, "title": "Grow", "level": "company"})
    assert "cycle_id" in error_of(response, 422)["fields"]


@pytest.mark.parametrize("query", ["cycle_id=2147483648", "scope=team:99999999999"])
def test_an_out_of_range_id_in_the_query_is_422(client, admin, world, query):
    cycle = world.cycle()
    path = f"/api/v1/cycles/{cycle}/analysis" if query.startswith("scope") else "/api/v1/objectives"
    error_of(client.get(f"{path}?{query}", headers=admin), 422)


@pytest.mark.parametrize("tracker", ["jira", "linear"])
def test_a_webhook_for_an_out_of_range_connection_id_is_404_so_trackers_stop(client, tracker):
    response = client.post(f"/webhooks/{tracker}/2147483648", data=b"{}")
    assert response.status_code == 404 and response.is_json


def test_a_method_not_allowed_names_the_allowed_ones(client, admin):
    response = client.put("/api/v1/objectives", headers=admin, json={})
    assert response.status_code == 405 and response.is_json
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
