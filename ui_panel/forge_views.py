"""Forge Remote endpoints for the Jira app: JSON for the issue panel and the project page.

Every call carries a Forge Invocation Token; the issue or project comes from the token's
context when Forge put it there (trusted), else from the request body sent by the Custom UI.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from okr_core.domain import TrackerKind
from okr_core.models import Connection, Team
from plumbing.db import request_session
from ui_panel.charts import percent, status_text
from ui_panel.panel_auth import invocation_viewer, verified_invocation
from ui_panel.panel_data import find_issue, issue_key_results, team_view

bp = Blueprint("forge", __name__, url_prefix="/panel/forge")


def _extension_value(context: dict, kind: str, body_name: str) -> str | None:
    """`context.extension.<kind>.key` from the token, else `<body_name>` from the JSON body."""
    extension = context.get("extension") if isinstance(context.get("extension"), dict) else {}
    entity = extension.get(kind) if isinstance(extension.get(kind), dict) else {}
    value = entity.get("key") or (request.get_json(silent=True) or {}).get(body_name)
    return value if isinstance(value, str) and value.strip() else None


def _jira_connection_ids(context: dict) -> list[int]:
    """Jira connections of the invoking site: matched by cloudId when stored, else all of them."""
    rows = request_session().execute(select(Connection.id, Connection.settings).where(
        Connection.tracker == TrackerKind.JIRA).order_by(Connection.id)).all()
    cloud_id = context.get("cloudId")
    matching = [cid for cid, settings in rows if (settings or {}).get("cloud_id") == cloud_id]
    return matching or [cid for cid, _ in rows]


def kr_json(kr, objective) -> dict:
    return {"id": kr.id, "title": kr.title, "objective": objective.title,
            "progress": kr.progress, "progress_text": percent(kr.progress),
            "status": str(kr.status), "status_text": status_text(kr.status),
            "confidence": kr.confidence, "current_value": kr.current_value,
            "target_value": kr.target_value, "unit": kr.unit}


@bp.route("/issue", methods=["GET", "POST"])
def issue():
    invocation = verified_invocation()
    viewer = invocation_viewer(invocation)
    issue_key = _extension_value(invocation.context, "issue", "issueKey")
    if issue_key is None:
        return jsonify({"error": {"code": "invalid_fields", "message": "issueKey missing"}}), 422
    session = request_session()
    item = find_issue(session, _jira_connection_ids(invocation.context), issue_key)
    rows = issue_key_results(session, viewer, item) if item is not None else []
    return jsonify({"issue": issue_key, "synced": item is not None,
                    "key_results": [kr_json(kr, objective) for kr, objective in rows]})


def _branch_json(branch) -> dict:
    objective = branch.objective
    return {"id": objective.id, "title": objective.title, "progress": objective.progress,
            "progress_text": percent(objective.progress),
            "key_results": [kr_json(kr, objective) for kr in branch.key_results],
            "children": [_branch_json(child) for child in branch.children]}


@bp.route("/project", methods=["GET", "POST"])
def project():
    invocation = verified_invocation()
    viewer = invocation_viewer(invocation)
    project_key = _extension_value(invocation.context, "project", "projectKey")
    if project_key is None:
        return jsonify({"error": {"code": "invalid_fields", "message": "projectKey missing"}}), 422
    session = request_session()
    team_ids = set(session.scalars(select(Team.id).where(Team.home_project == project_key)))
    view = team_view(session, viewer, team_ids) if team_ids else None
    return jsonify({"project": project_key,
                    "cycle": view.cycle.name if view else None,
                    "objectives": [_branch_json(b) for b in view.roots] if view else []})
