"""One name per period: the API refuses a second cycle of the same name over the same dates."""
from __future__ import annotations

from tests.api.api_world import error_of

Q1 = {"name": "Q1 2026", "start_date": "2026-01-01", "end_date": "2026-03-31"}


def test_a_second_cycle_named_alike_over_the_same_period_is_refused(client, admin):
    assert client.post("/api/v1/cycles", json=Q1, headers=admin).status_code == 201
    twin = {**Q1, "name": " q1   2026", "start_date": "2026-02-01"}
    error = error_of(client.post("/api/v1/cycles", json=twin, headers=admin), 422,
                     "invalid_fields")
    assert error["fields"] == {"name": "Q1 2026 already covers part of this period"}


def test_the_same_name_in_another_period_and_renaming_in_place_are_allowed(client, admin):
    first = client.post("/api/v1/cycles", json=Q1, headers=admin).get_json()
    next_year = {**Q1, "start_date": "2027-01-01", "end_date": "2027-03-31"}
    assert client.post("/api/v1/cycles", json=next_year, headers=admin).status_code == 201
    renamed = client.patch(f"/api/v1/cycles/{first['id']}", json={"name": "Q1 2026 "},
                           headers=admin)
    assert renamed.status_code == 200, renamed.get_json()
    other = client.post("/api/v1/cycles", json={**Q1, "name": "Other"}, headers=admin).get_json()
    clash = client.patch(f"/api/v1/cycles/{other['id']}", json={"name": "Q1 2026"}, headers=admin)
    assert error_of(clash, 422)["fields"] == {"name": "Q1 2026 already covers part of this period"}
