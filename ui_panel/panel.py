"""Compact views made for embedding in a tracker: an issue's key results, a team's OKR tree."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from config.headers import frameable
from okr_core.models import Connection, Team
from plumbing.db import request_session
from ui_panel.panel_auth import panel_viewer, site_may_show, tracker_frame_ancestors
from ui_panel.panel_data import find_issue, issue_key_results, team_view

bp = Blueprint("panel", __name__, url_prefix="/panel")


def _signed_out():
    """A frameable 401 page: the login page itself refuses to be framed."""
    return render_template("panel/signed_out.html"), 401


@bp.get("/issue/<int:connection_id>/<path:issue_key>")
@frameable(tracker_frame_ancestors)
def issue(connection_id: int, issue_key: str):
    viewer = panel_viewer()
    if viewer is None:
        return _signed_out()
    session = request_session()
    if session.get(Connection, connection_id) is None or not site_may_show(connection_id):
        abort(404)
    item = find_issue(session, [connection_id], issue_key)
    rows = issue_key_results(session, viewer, item) if item is not None else []
    return render_template("panel/issue.html", issue_key=issue_key, item=item, rows=rows)


@bp.get("/team/<int:team_id>")
@frameable(tracker_frame_ancestors)
def team(team_id: int):
    viewer = panel_viewer()
    if viewer is None:
        return _signed_out()
    session = request_session()
    chosen = session.get(Team, team_id)
    if chosen is None or not site_may_show(chosen.home_connection_id):
        abort(404)
    view = team_view(session, viewer, {team_id}, request.args.get("cycle", type=int))
    return render_template("panel/team.html", team=chosen, view=view)

