"""Forge Remote endpoints for the Jira app: JSON for the issue panel and the project page.

Every answer is JSON: data, or `{"error": {"code", "message"}}` (refusals from forge_access,
bad input here, HTTP errors through api.errors). Who may see what comes from the FIT's
principal and installation claims; the issue or project shown comes from the FIT's context when
Forge put it there, else from the request body, and is looked up only in the site's connections.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from api.check_in_drafts import approve_draft
from api.schemas import DraftApprove
from okr_core.checkin_drafts.approval import UNDO_WINDOW
from okr_core.domain import Measure
from okr_core.models import CheckInDraft, Team
from plumbing.db import request_session
from ui_panel.charts import percent, status_text
from ui_panel.formatting import value_text
from ui_panel.forge_access import ForgeRefusal, forge_caller
from ui_panel.panel_data import find_issue, issue_key_results, team_view

bp = Blueprint("forge", __name__, url_prefix="/panel/forge")
MAX_KEY_LENGTH = 255
# Ratio measures are their progress: "45% complete" already says it, a "0.45 of 1" would not.
RATIO_MEASURES = {Measure.WORK_DONE_RATIO, Measure.POINTS_DONE_RATIO}


@bp.errorhandler(ForgeRefusal)
def _refused(refusal: ForgeRefusal):
    return _error(refusal.status, refusal.code, refusal.message)


def _error(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


def _extension_value(context: dict, kind: str, body_name: str) -> str | None:
    """`context.extension.<kind>.key` from the token, else `<body_name>` from the JSON body."""
    extension = context.get("extension") if isinstance(context.get("extension"), dict) else {}
    entity = extension.get(kind) if isinstance(extension.get(kind), dict) else {}
    body = request.get_json(silent=True)
    value = entity.get("key") or (body.get(body_name) if isinstance(body, dict) else None)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_KEY_LENGTH:
        return None
    return value.strip()


def _waiting_draft(kr_id: int, user_id: int) -> dict | None:
    """The caller's drafted check-in of this KR waiting for approval: its id (to approve it from
    the panel) and where to review or edit it in okrsync."""
    draft_id = request_session().scalar(select(CheckInDraft.id).where(
        CheckInDraft.key_result_id == kr_id, CheckInDraft.owner_id == user_id,
        CheckInDraft.state == "waiting").order_by(CheckInDraft.week_start.desc()).limit(1))
    if draft_id is None:
        return None
    return {"id": draft_id, "url": f"{current_app.config['SETTINGS'].base_url.rstrip('/')}"
                                   f"/check-in-drafts/{draft_id}"}


def kr_json(kr, objective, user_id: int, owner_name: str | None) -> dict:
    """A KR as the panel shows it; `yours` marks the KRs the caller owns, and `check_in_draft`
    their drafted weekly check-in waiting for approval (approved as drafted here, or reviewed
    and edited in okrsync)."""
    yours = kr.owner_id == user_id
    return {"id": kr.id, "title": kr.title, "objective": objective.title,
            "owner": owner_name, "yours": yours,
            "check_in_draft": _waiting_draft(kr.id, user_id) if yours else None,
            "progress": kr.progress, "progress_text": percent(kr.progress),
            "status": str(kr.status), "status_text": status_text(kr.status),
            "confidence": kr.confidence, "current_value": kr.current_value,
            "target_value": kr.target_value, "unit": kr.unit, "values_text": _values_text(kr)}


def _values_text(kr) -> str | None:
    """"8 of 2 bugs" for a counted or manual KR, in its unit; None for ratios and unset values."""
    if kr.measure in RATIO_MEASURES or kr.current_value is None or kr.target_value is None:
        return None
    return value_text(kr)


@bp.route("/issue", methods=["GET", "POST"])
def issue():
    caller = forge_caller()
    issue_key = _extension_value(caller.invocation.context, "issue", "issueKey")
    if issue_key is None:
        return _error(422, "invalid_fields", "The issue key is missing.")
    session = request_session()
    item = find_issue(session, caller.connection_ids, issue_key)
    rows = issue_key_results(session, caller.viewer, item) if item is not None else []
    return jsonify({"issue": issue_key, "synced": item is not None,
                    "key_results": [kr_json(kr, objective, caller.user.id,
                                            kr.owner.name if kr.owner else None)
                                    for kr, objective in rows]})


def _branch_json(branch, user_id: int, people: dict[int, str]) -> dict:
    objective = branch.objective
    return {"id": objective.id, "title": objective.title, "progress": objective.progress,
            "progress_text": percent(objective.progress),
            "key_results": [kr_json(kr, objective, user_id, people.get(kr.owner_id))
                            for kr in branch.key_results],
            "children": [_branch_json(child, user_id, people) for child in branch.children]}


@bp.route("/project", methods=["GET", "POST"])
def project():
    caller = forge_caller()
    project_key = _extension_value(caller.invocation.context, "project", "projectKey")
    if project_key is None:
        return _error(422, "invalid_fields", "The project key is missing.")
    session = request_session()
    team_ids = set(session.scalars(select(Team.id).where(
        Team.home_project == project_key, Team.home_connection_id.in_(caller.connection_ids))))
    view = team_view(session, caller.viewer, team_ids) if team_ids else None
    return jsonify({"project": project_key,
                    "cycle": view.cycle.name if view else None,
                    "objectives": ([_branch_json(b, caller.user.id, view.people)
                                    for b in view.roots]
                                   if view else [])})


@bp.post("/check-in-drafts/<int:draft_id>/approve")
def approve_check_in_draft(draft_id: int):
    """Approve the caller's drafted check-in as drafted, from the panel: the verified Forge
    Invocation Token stands for the caller (these calls carry no cookie, so no CSRF token), and
    the API's rules apply (only the KR's owner, a waiting draft, a writable cycle)."""
    caller = forge_caller()
    check_in = approve_draft(draft_id, caller.user.id, DraftApprove())
    return jsonify({"check_in": {"id": check_in.id, "key_result_id": check_in.key_result_id},
                    "message": "Check-in approved and sent to the tracker. You can undo it in "
                               f"okrsync for {int(UNDO_WINDOW.total_seconds() // 60)} minutes."}), 201
