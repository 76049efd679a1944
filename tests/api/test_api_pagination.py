"""Every list route pages the same way: page/per_page in, items/total/next_page out, bounds 422."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.api.api_world import error_of

from okr_core.domain import Role, TrackerKind
from api.spec import ROUTES

PAGED = sorted(f"{doc.method} {doc.rule}" for doc in ROUTES if doc.paged)


@pytest.fixture
def seven_of_each(world, actors, org) -> dict:
    """Seven rows behind every paged route, all visible to the admin."""
    cycle = world.cycle(name="Q0")
    for n in range(6):
        world.cycle(name=f"Q{n + 1}")
    objective = world.objective(cycle)
    for n in range(6):
        world.objective(cycle, f"Objective {n}")
    kr = world.key_result(objective)
    for n in range(6):
        world.key_result(objective, f"KR {n}")
    connection = world.connection(TrackerKind.JIRA)
    for n in range(6):
        world.connection(TrackerKind.LINEAR)
    for n in range(7):
        world.link(kr, connection, ref=f"APP-{n}")
        world.check_in(kr, note=f"week {n}")
        world.snapshot(kr, 20 + n, n / 10, days_ago=7 - n)
    owned = world.key_result(objective, "Owned by the admin", owner_id=org.ids["admin"])
    for n in range(7):       # the admin's drafted check-ins of seven weeks
        world.draft(owned, org.ids["admin"], week_start=date(2026, 1, 5) + timedelta(weeks=n))
    actors.team("Extra 1")
    actors.team("Extra 2")
    actors.user(Role.MEMBER)
    return {"cycle_id": cycle, "kr_id": kr}


def _url(name: str, ids: dict) -> str:
    rule = name.split(" ", 1)[1].replace("<int:kr_id>", str(ids["kr_id"]))
    return "/api/v1" + rule


@pytest.mark.parametrize("name", PAGED)
def test_pages_walk_every_row_once_with_total_and_next_page(client, org, seven_of_each, name):
    url = _url(name, seven_of_each)
    first = client.get(f"{url}?per_page=3", headers=org.admin).get_json()
    total = first["total"]
    assert total >= 7 and (first["page"], first["per_page"]) == (1, 3)
    seen, page = [], first
    while True:
        assert len(page["items"]) == min(3, total - len(seen))
        seen += [item.get("id", item.get("at")) for item in page["items"]]
        if page["next_page"] is None:
            break
        assert page["next_page"] == page["page"] + 1
        page = client.get(f"{url}?per_page=3&page={page['next_page']}", headers=org.admin).get_json()
    assert len(seen) == len(set(seen)) == total
    beyond = client.get(f"{url}?per_page=3&page=99", headers=org.admin).get_json()
    assert (beyond["items"], beyond["total"], beyond["next_page"]) == ([], total, None)


@pytest.mark.parametrize("name", PAGED)
def test_page_bounds_and_non_numbers_answer_422_naming_the_parameter(client, org, seven_of_each,
                                                                     name):
    url = _url(name, seven_of_each)
    for query, field in (("page=0", "page"), ("page=-1", "page"), ("page=two", "page"),
                         ("per_page=0", "per_page"), ("per_page=201", "per_page"),
                         ("per_page=1.5", "per_page")):
        error = error_of(client.get(f"{url}?{query}", headers=org.admin), 422, "invalid_fields")
        assert set(error["fields"]) == {field}, (url, query, error)


def test_default_page_size_is_50_and_200_is_the_largest(client, org, world):
    cycle = world.cycle()
    for n in range(205):
        world.objective(cycle, f"Objective {n}")
    default = client.get("/api/v1/objectives", headers=org.admin).get_json()
    assert (len(default["items"]), default["per_page"], default["next_page"]) == (50, 50, 2)
    largest = client.get("/api/v1/objectives?per_page=200&page=2", headers=org.admin).get_json()
    assert (len(largest["items"]), largest["total"], largest["next_page"]) == (5, 205, None)
