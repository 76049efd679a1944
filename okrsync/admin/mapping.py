"""Mapping settings of a connection, prefilled from what the tracker reports where it can."""
from __future__ import annotations

from flask import abort, current_app, render_template, request

from okrsync.admin.blueprint import admin_only, bp, commit_change
from okrsync.admin.forms import MappingForm
from config.known_secrets import known_secrets
from config.urlsafety import check_outbound_url, safe_session
from connector.errors import TrackerError
from connector.registry import build_connector
from connector.jira.reading import DEFAULT_NOT_DONE
from okr_core.connection_settings import SITE_FACTS
from okr_core.domain import TrackerKind
from okr_core.models import Connection
from plumbing.db import request_session
from plumbing.services import allowlist, secret_box

TEXT_FIELDS = ("story_points_field", "kr_issue_type", "timezone", "mirror_namespace")
LIST_FIELDS = ("done_states", "teams", "not_done_resolutions")
# Optional connector methods and the mapping field each fills; absent ones leave a free field.
DISCOVERABLE = {"points_field": "story_points_field", "issue_types": "kr_issue_type",
                "workflow_states": "done_states", "teams": "teams"}


def _load(connection_id: int) -> Connection:
    connection = request_session().get(Connection, connection_id)
    if connection is None:
        abort(404)
    return connection


def _form_for(connection: Connection) -> MappingForm:
    stored = connection.settings or {}
    defaults = {name: stored.get(name) for name in TEXT_FIELDS}
    defaults.update({name: "\n".join(stored.get(name) or ()) for name in LIST_FIELDS})
    if connection.tracker is TrackerKind.JIRA and not stored.get("not_done_resolutions"):
        defaults["not_done_resolutions"] = "\n".join(DEFAULT_NOT_DONE)
    return MappingForm(data=defaults)


def discover(connection: Connection) -> tuple[dict, list[str], str | None]:
    """Ask the connector what it can report: (values per field, fields it cannot fill, error)."""
    allowed = tuple(allowlist())
    try:
        check_outbound_url(connection.base_url, allowed)
        connector = build_connector(
            connection.tracker, connection.base_url,
            secret_box().decrypt_json(connection.credentials_encrypted),
            {**(connection.settings or {}), "max_attempts": 1, "timeout": 15.0},
            session=safe_session(allowed))
        found, missing = {}, []
        for method, field in DISCOVERABLE.items():
            if callable(getattr(connector, method, None)):
                found[field] = getattr(connector, method)()
            else:
                missing.append(field)
    except (ValueError, TrackerError) as failure:  # UnsafeURL is a ValueError
        return {}, [], known_secrets(current_app).redact(f"Could not ask the tracker: {failure}")
    return found, missing, None


@bp.route("/connections/<int:connection_id>/mapping", methods=["GET", "POST"])
@admin_only
def mapping(connection_id: int):
    connection = _load(connection_id)
    form = MappingForm() if request.method == "POST" else _form_for(connection)
    if form.validate_on_submit():
        settings = dict(connection.settings or {})
        for name in TEXT_FIELDS:
            settings[name] = (form[name].data or "").strip() or None
        for name in LIST_FIELDS:
            settings[name] = [line.strip() for line in (form[name].data or "").splitlines()
                              if line.strip()]
        # Saving refreshes what jobs cached about the site (field ids, the account's zone).
        settings.pop(SITE_FACTS, None)
        connection.settings = {k: v for k, v in settings.items() if v not in (None, [])}
        commit_change("connection.mapping-saved", f"connection {connection.id}",
                      {k: connection.settings.get(k) for k in TEXT_FIELDS + LIST_FIELDS})
        return render_template("admin/mapping.html", form=form, connection=connection,
                               saved=True)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/mapping.html", form=form, connection=connection), status


@bp.post("/connections/<int:connection_id>/mapping/discover")
@admin_only
def discover_mapping(connection_id: int):
    connection = _load(connection_id)
    found, missing, error = discover(connection)
    form = _form_for(connection)
    options = {}
    for field, value in found.items():
        if isinstance(value, str):
            form[field].data = value
        elif field in LIST_FIELDS:
            form[field].data = "\n".join(map(str, value))
        else:
            options[field] = list(map(str, value))
    return render_template("admin/mapping.html", form=form, connection=connection,
                           discovered=sorted(found), not_offered=missing, options=options,
                           error=error)
