"""GET /api/openapi.json: a valid OpenAPI 3.1 document naming every route with its bodies."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from api.spec import ROUTES


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _path_of(rule: str) -> str:
    return "/api/v1" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_registered_route_is_documented_with_its_method(document):
    documented = {(path, method.upper()) for path, ops in document["paths"].items()
                  for method in ops}
    registered = {(_path_of(doc.rule), doc.method) for doc in ROUTES}
    assert registered == documented


def test_bodies_of_posts_and_patches_are_documented_schemas(document):
    schemas = document["components"]["schemas"]
    for doc in ROUTES:
        operation = document["paths"][_path_of(doc.rule)][doc.method.lower()]
        if doc.body is None:
            assert "requestBody" not in operation, doc.rule
            continue
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        name = ref.rsplit("/", 1)[-1]
        assert name == doc.body.__name__
        assert set(schemas[name]["properties"]) == set(doc.body.model_fields)
    bodies = {doc.method for doc in ROUTES if doc.body is not None}
    assert bodies == {"POST", "PATCH"}


def test_required_body_fields_match_what_the_api_enforces(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["CycleCreate"]["required"]) == {"name", "start_date", "end_date"}
    assert set(schemas["LinkCreate"]["required"]) == {"connection_id", "kind", "ref"}
    assert "required" not in schemas["ObjectivePatch"]
    assert schemas["LinkCreate"]["properties"]["kind"]["$ref"].endswith("/LinkKind")


def test_path_parameters_paging_and_errors_are_described(document):
    for doc in ROUTES:
        operation = document["paths"][_path_of(doc.rule)][doc.method.lower()]
        params = {(p["name"], p["in"]) for p in operation.get("parameters", [])}
        for name in re.findall(r"<(?:\w+:)?(\w+)>", doc.rule):
            assert (name, "path") in params, doc.rule
        if doc.paged:
            assert {("page", "query"), ("per_page", "query")} <= params
        assert str(doc.status) in operation["responses"]
        for status in ("401", "404", "422"):
            assert operation["responses"][status]["$ref"] == "#/components/responses/Error"
        assert operation["security"] == [{"bearer": []}]


def test_no_secret_field_appears_in_any_response_schema(document):
    connection = document["components"]["schemas"]["ConnectionOut"]["properties"]
    assert not {"credentials", "webhook_secret", "api_token", "api_key"} & set(connection)
    assert {"id", "webhook_url"} <= set(connection)


def test_the_document_needs_no_token(client):
    assert client.get("/api/openapi.json").status_code == 200


@pytest.mark.parametrize("name, accepted", [
    ("Growth", True), ("  Growth  ", True), ("\u3000x", True),
    ("   ", False), ("\u0085", False), ("\u2003\u00a0", False), ("Gro\u0000wth", False),
])
def test_the_document_says_which_team_names_the_api_takes(client, document, admin, name, accepted):
    """Names are stripped of what pydantic counts as space, and hold no U+0000: the pattern says so."""
    pattern = document["components"]["schemas"]["TeamCreate"]["properties"]["name"]["pattern"]
    assert bool(re.search(pattern, name)) is accepted
    response = client.post("/api/v1/teams", headers=admin, json={"name": name, "kind": "team"})
    assert (response.status_code == 201) is accepted, response.get_json()
