"""The admin blueprint and what every admin view shares: the role check and change bookkeeping."""
from __future__ import annotations

from flask import Blueprint, current_app

from config.audit import record_audit
from config.known_secrets import known_secrets
from ui_panel.signin import current_web_user, login_required
from okr_core.domain import Role
from plumbing.db import request_session

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates",
               static_folder="static")
admin_only = login_required(Role.ADMIN)


def commit_change(action: str, subject: str, detail: dict | None = None) -> None:
    """Audit an admin change, commit it, and re-learn the secrets logs must not show."""
    record_audit(request_session(), current_web_user().id, action, subject, detail)
    commit_audited()


def commit_audited() -> None:
    """Commit a change that recorded its own audit entry, and re-learn the secrets."""
    request_session().commit()
    known_secrets(current_app).refresh()
