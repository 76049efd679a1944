"""The REST API under /api/v1 (SPEC section 4) and its OpenAPI document."""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify

from api import analysis, check_in_drafts, connections, cycles, key_results, objectives, sync, teams
from api.auth import authenticate
from api.spec import openapi_document

RESOURCES = (connections, teams, cycles, objectives, key_results, check_in_drafts, analysis, sync)


def register_api(app: Flask) -> None:
    v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")
    v1.before_request(authenticate)
    for module in RESOURCES:
        v1.register_blueprint(module.bp)
    app.register_blueprint(v1)
    app.add_url_rule("/api/openapi.json", "openapi", lambda: jsonify(openapi_document()))
