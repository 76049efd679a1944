"""Every API route has a success test and a failure test; every route refuses bad tokens and bodies."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from tests.api.api_world import error_of

from okr_core.domain import Role, TrackerKind
from api.spec import ROUTES

HERE = Path(__file__).parent
# Routes another issue owns (tracker calls, sync and analysis); they bring their own tests.
OUT_OF_SCOPE = {
    "POST /connections/<int:connection_id>/test",
    "POST /connections/<int:connection_id>/reconcile",
    "GET /connections/<int:connection_id>/sync-status",
    "POST /cycles/<int:cycle_id>/analysis",
    "GET /cycles/<int:cycle_id>/analysis",
}
ROUTE_NAMES = [f"{doc.method} {doc.rule}" for doc in ROUTES]
BODY_ROUTES = [f"{doc.method} {doc.rule}" for doc in ROUTES if doc.body is not None]


def covered_routes() -> set[tuple[str, str]]:
    """(route, outcome) pairs named by @pytest.mark.route(...) on this folder's tests."""
    found = set()
    for path in sorted(HERE.glob("test_api_*.py")):
        spec = importlib.util.spec_from_file_location(f"route_scan_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for test in vars(module).values():
            for mark in getattr(test, "pytestmark", []):
                if mark.name == "route":
                    found.add(tuple(mark.args))
    return found


def test_every_route_has_a_success_test_and_a_failure_test():
    covered = covered_routes()
    missing = [f"{name} [{outcome}]" for name in ROUTE_NAMES if name not in OUT_OF_SCOPE
               for outcome in ("ok", "error") if (name, outcome) not in covered]
    assert not missing, "routes without tests:\n" + "\n".join(missing)


def test_coverage_markers_name_only_real_routes():
    covered = covered_routes()
    unknown = {name for name, _ in covered} - set(ROUTE_NAMES)
    assert not unknown, f"markers name routes that do not exist: {sorted(unknown)}"
    assert {outcome for _, outcome in covered} == {"ok", "error"}


@pytest.fixture
def urls(world, actors):
    """One concrete URL per route, every id in it pointing at a real row."""
    cycle = world.cycle()
    objective = world.objective(cycle)
    kr = world.key_result(objective)
    connection = world.connection(TrackerKind.JIRA)
    owner = actors.user(Role.MEMBER)[0]
    ids = {"cycle_id": cycle, "objective_id": objective, "kr_id": kr,
           "draft_id": world.draft(kr, owner), "check_in_id": world.check_in(kr),
           "connection_id": connection, "link_id": world.link(kr, connection),
           "team_id": actors.team("Alpha"), "user_id": actors.user(Role.MEMBER)[0]}

    def url(name: str) -> tuple[str, str]:
        method, rule = name.split(" ", 1)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule)
        return method, "/api/v1" + path
    return url


def _call(client, method, url, headers=None, **kw):
    return client.open(url, method=method, headers=headers or {}, **kw)


def test_every_route_answers_401_without_a_token(client, urls):
    for name in ROUTE_NAMES:
        error_of(_call(client, *urls(name), json={}), 401, "unauthenticated")


def test_every_route_answers_401_to_an_unknown_or_malformed_token(client, urls):
    for name in ROUTE_NAMES:
        for header in ("Bearer okr_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer "):
            error_of(_call(client, *urls(name), {"Authorization": header}), 401)


def test_every_route_answers_401_to_a_revoked_token(client, urls, actors, world):
    user_id, headers = actors.user(Role.ADMIN)
    world.revoke_tokens(user_id)
    for name in ROUTE_NAMES:
        error_of(_call(client, *urls(name), headers), 401, "invalid_token")


def test_a_deactivated_users_token_answers_401(client, actors, admin):
    user_id, headers = actors.user(Role.MEMBER)
    assert client.get("/api/v1/cycles", headers=headers).status_code == 200
    off = client.patch(f"/api/v1/users/{user_id}", json={"active": False}, headers=admin)
    assert off.status_code == 200, off.get_json()
    error_of(client.get("/api/v1/cycles", headers=headers), 401, "invalid_token")


def test_every_body_route_refuses_malformed_json_with_400(client, urls, admin):
    for name in BODY_ROUTES:
        for raw in (b"{not json", b"\xff\xfe", b"", b'{"name": "x",}'):
            response = _call(client, *urls(name), admin, data=raw,
                             content_type="application/json")
            error_of(response, 400, "malformed_json")


def test_every_body_route_refuses_json_that_is_not_an_object_with_400(client, urls, admin):
    for name in BODY_ROUTES:
        for raw in (b"[]", b'[{"name": "x"}]', b'"text"', b"42", b"null", b"true"):
            response = _call(client, *urls(name), admin, data=raw,
                             content_type="application/json")
            error_of(response, 400, "not_an_object")


def test_every_body_route_refuses_unknown_fields_with_422(client, urls, admin):
    for name in BODY_ROUTES:
        error = error_of(_call(client, *urls(name), admin, json={"surprise": 1}), 422,
                         "invalid_fields")
        assert error["fields"]["surprise"], (name, error)


def test_unknown_api_paths_and_methods_answer_json_errors(client, admin):
    error_of(client.get("/api/v1/nothing-here", headers=admin), 404)
    error_of(client.put("/api/v1/cycles", json={}, headers=admin), 405)
