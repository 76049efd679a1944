"""Sync state per tracker connection: the last pass, its counts and error, or "never synced"."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from ui_panel.signin import current_web_user, login_required
from okr_core.models import Connection, SyncState
from plumbing.db import request_session
from sync.connections.tracker_health import health_of
from sync.notify.problems import problem_sends

bp = Blueprint("sync_page", __name__)


@bp.get("/sync")
@login_required()
def sync_status():
    rows = request_session().execute(
        select(Connection.id, Connection.name, Connection.tracker, Connection.base_url, SyncState)
        .outerjoin(SyncState, SyncState.connection_id == Connection.id)
        .order_by(Connection.name, Connection.id)).all()
    return render_template("dashboard/sync.html", rows=rows, section="sync", cycles=[],
                           cycle=None, user=current_web_user(),
                           health=health_of(request_session()),
                           problems=problem_sends(request_session()))
