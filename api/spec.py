"""Routes declare their body and response models once; the OpenAPI document is built from them."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Callable

from flask import Blueprint, request

from pydantic import BaseModel, ValidationError

from api.errors import ApiError
from okr_core.domain import Level
from okr_core.ids import MAX_ID


@dataclass
class RouteDoc:
    rule: str
    method: str
    summary: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    paged: bool
    query: dict[str, str] = field(default_factory=dict)


ROUTES: list[RouteDoc] = []


def route(bp: Blueprint, rule: str, method: str, summary: str, *, body=None, response=None,
          status: int = 200, paged: bool = False, query: dict[str, str] | None = None):
    """Register a view on `bp` and describe it for the OpenAPI document."""
    def decorator(view: Callable):
        ROUTES.append(RouteDoc(rule, method, summary, body, response, status, paged, query or {}))
        endpoint = f"{view.__name__}_{method.lower()}"
        known = set(query or {}) | ({"page", "per_page"} if paged else set())
        bp.add_url_rule(rule, endpoint, _refusing_unknown_query(view, known), methods=[method])
        return view
    return decorator


def _refusing_unknown_query(view: Callable, known: set[str]) -> Callable:
    """422 for query parameters the document does not name (a typo would be ignored silently)."""
    @functools.wraps(view)
    def checked(*args, **kwargs):
        unknown = sorted(set(request.args) - known)
        if unknown:
            raise ApiError(422, "invalid_fields", "unknown query parameters",
                           {name[:100]: "not a parameter of this operation" for name in unknown[:20]})
        return view(*args, **kwargs)
    return checked


def parse_body(model: type[BaseModel]) -> BaseModel:
    """Validate the request's JSON object against `model`: 400 when not JSON, 422 per field."""
    raw = request.get_data(cache=True)
    try:
        decoded = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "malformed_json", "the request body is not valid JSON")
    if not isinstance(decoded, dict):
        raise ApiError(400, "not_an_object", "the request body must be a JSON object")
    try:
        return model.model_validate(decoded)
    except ValidationError as exc:
        fields = {".".join(str(p) for p in err["loc"]) or "body": err["msg"]
                  for err in exc.errors()}
        raise ApiError(422, "invalid_fields", "some fields are missing or invalid", fields)


MAX_PAGE = 10**6
QUERY_SCHEMAS = {
    "integer": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "level": {"type": "string", "enum": [level.value for level in Level]},
    # okr_core.analysis.scope: company, team:<id> or user:<id>
    "scope": {"type": "string", "pattern": r"^(company|(team|user):[1-9][0-9]{0,9})$"},
}


def _operation(doc: RouteDoc) -> dict:
    op: dict = {"summary": doc.summary, "security": [{"bearer": []}], "responses": {}}
    # Ids as the routes take them (okrsync.id_bounds) and the filters check them (api.common).
    params = [{"name": n, "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}
              for n in _path_params(doc.rule)]
    params += [{"name": n, "in": "query", "schema": QUERY_SCHEMAS.get(t, {"type": t})}
               for n, t in doc.query.items()]
    if doc.paged:
        params += [{"name": "page", "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}},
                   {"name": "per_page", "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 200}}]
    if params:
        op["parameters"] = params
    if doc.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{doc.body.__name__}"}}}}
    success: dict = {"description": "success"}
    if doc.response is not None:
        schema = {"$ref": f"#/components/schemas/{doc.response.__name__}"}
        if doc.paged:
            schema = {"type": "object", "properties": {"items": {"type": "array", "items": schema},
                      "page": {"type": "integer"}, "per_page": {"type": "integer"},
                      "total": {"type": "integer"}, "next_page": {"type": ["integer", "null"]}}}
        success["content"] = {"application/json": {"schema": schema}}
    op["responses"][str(doc.status)] = success
    for status in ("400", "401", "403", "404", "409", "422", "429", "503"):
        op["responses"][status] = {"$ref": "#/components/responses/Error"}
    return op


def _path_params(rule: str) -> list[str]:
    return [part[1:-1].split(":")[-1] for part in rule.split("/") if part.startswith("<")]


def _openapi_path(rule: str) -> str:
    parts = [("{" + p[1:-1].split(":")[-1] + "}") if p.startswith("<") else p
             for p in rule.split("/")]
    return "/api/v1" + "/".join(parts)


def openapi_document() -> dict:
    paths: dict = {}
    schemas: dict = {}
    for doc in ROUTES:
        paths.setdefault(_openapi_path(doc.rule), {})[doc.method.lower()] = _operation(doc)
        for model in (doc.body, doc.response):
            if model is not None:
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(schema.pop("$defs", {}))
                schemas[model.__name__] = schema
    error = {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}}},
        "required": ["code", "message"]}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "okrsync API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {"Error": {"description": "an error", "content": {
                "application/json": {"schema": error}}}},
        },
    }
