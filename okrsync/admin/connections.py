"""Admin pages for tracker connections: create, edit, test, webhook secret and instructions."""
from __future__ import annotations

import secrets

from flask import abort, current_app, redirect, render_template, url_for

from okrsync.admin.blueprint import admin_only, bp, commit_change
from okrsync.admin.connection_fields import (
    checked_base_url, credential_error, merged_credentials, typed_credentials,
)
from okrsync.admin.forms import SECRET_HINT, ActionForm, ConnectionForm, DeleteConnectionForm
from sync.connections.connection_check import check_stored_connection
from connector.jira.cloud_site import forget_site_if_moved
from okr_core.domain import TrackerKind
from okr_core.models import Connection, SyncState
from plumbing.db import request_session
from plumbing.services import secret_box


def webhook_url(connection: Connection) -> str:
    base = current_app.config["SETTINGS"].base_url
    return f"{base}/webhooks/{connection.tracker.value}/{connection.id}"


def _load(connection_id: int) -> Connection:
    connection = request_session().get(Connection, connection_id)
    if connection is None:
        abort(404)
    return connection


def _apply_form(form: ConnectionForm, connection: Connection) -> bool:
    """Copy valid form fields onto the connection; False (errors on the form) when any is bad."""
    tracker = TrackerKind(form.tracker.data)
    box = secret_box()
    stored = box.decrypt_json(connection.credentials_encrypted) \
        if connection.tracker == tracker else {}
    credentials = merged_credentials(typed_credentials(form, tracker), stored)
    problem = credential_error(tracker, credentials)
    if problem:
        form.form_errors.append(f"Credentials: {problem}")
    base_url = checked_base_url(form)
    if problem or base_url is None:
        return False
    connection.tracker, connection.name, connection.base_url = tracker, form.name.data, base_url
    connection.credentials_encrypted = box.encrypt_json(credentials)
    if form.webhook_secret.data:
        connection.webhook_secret_encrypted = box.encrypt(form.webhook_secret.data.strip())
    settings = dict(connection.settings or {})
    if tracker is TrackerKind.JIRA:
        settings["deployment"] = form.deployment.data
    connection.settings = settings
    return True


def _show_connection(connection: Connection, status: int = 200, **extra):
    sync = request_session().get(SyncState, connection.id)
    extra.setdefault("delete_form", DeleteConnectionForm(formdata=None))
    return render_template("admin/connection.html", connection=connection, sync=sync,
                           webhook_url=webhook_url(connection), action=ActionForm(),
                           **extra), status


@bp.route("/connections/new", methods=["GET", "POST"])
@admin_only
def new_connection():
    form = ConnectionForm()
    if form.validate_on_submit():
        connection = Connection(tracker=TrackerKind(form.tracker.data), credentials_encrypted="")
        if _apply_form(form, connection):
            fresh_secret = secrets.token_urlsafe(32)
            connection.webhook_secret_encrypted = secret_box().encrypt(
                form.webhook_secret.data.strip() if form.webhook_secret.data else fresh_secret)
            request_session().add(connection)
            request_session().flush()
            commit_change("connection.created", f"connection {connection.id}",
                          {"name": connection.name, "tracker": connection.tracker.value,
                           "base_url": connection.base_url})
            shown = None if form.webhook_secret.data else fresh_secret
            return _show_connection(connection, 201, new_webhook_secret=shown)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/connection_form.html", form=form, connection=None,
                           secret_hint=SECRET_HINT, stored=set()), status


@bp.route("/connections/<int:connection_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_connection(connection_id: int):
    connection = _load(connection_id)
    previous_base_url = connection.base_url
    form = ConnectionForm(obj=_form_defaults(connection))
    if form.validate_on_submit() and _apply_form(form, connection):
        forget_site_if_moved(connection, previous_base_url)
        commit_change("connection.edited", f"connection {connection.id}",
                      {"name": connection.name, "base_url": connection.base_url,
                       "credentials_changed": bool(typed_credentials(
                           form, connection.tracker)),
                       "webhook_secret_changed": bool(form.webhook_secret.data)})
        return redirect(url_for("admin.connection", connection_id=connection.id))
    status = 422 if form.is_submitted() else 200
    stored = set(secret_box().decrypt_json(connection.credentials_encrypted))
    if connection.webhook_secret_encrypted:
        stored.add("webhook_secret")
    return render_template("admin/connection_form.html", form=form, connection=connection,
                           secret_hint=SECRET_HINT, stored=stored), status


def _form_defaults(connection: Connection):
    """Non-secret values to prefill the edit form with (secrets stay blank)."""
    credentials = secret_box().decrypt_json(connection.credentials_encrypted)
    return type("Defaults", (), {
        "tracker": connection.tracker.value, "name": connection.name,
        "base_url": connection.base_url, "jira_email": credentials.get("email"),
        "deployment": (connection.settings or {}).get("deployment", "cloud")})


@bp.get("/connections/<int:connection_id>")
@admin_only
def connection(connection_id: int):
    return _show_connection(_load(connection_id))


@bp.post("/connections/<int:connection_id>/test")
@admin_only
def test_connection(connection_id: int):
    connection = _load(connection_id)
    check = check_stored_connection(connection)
    return _show_connection(connection, check=check)


@bp.post("/connections/<int:connection_id>/webhook-secret")
@admin_only
def regenerate_webhook_secret(connection_id: int):
    connection = _load(connection_id)
    fresh_secret = secrets.token_urlsafe(32)
    connection.webhook_secret_encrypted = secret_box().encrypt(fresh_secret)
    commit_change("connection.webhook-secret-regenerated", f"connection {connection.id}")
    return _show_connection(connection, new_webhook_secret=fresh_secret)


@bp.post("/connections/<int:connection_id>/delete")
@admin_only
def delete_connection(connection_id: int):
    """Delete the connection with its links, stored items and deliveries; the tracker keeps its mirrors."""
    connection = _load(connection_id)
    form = DeleteConnectionForm()
    if not form.validate_on_submit():
        return _show_connection(connection, 422, delete_form=form)
    if form.confirm_name.data.strip() != connection.name:
        form.confirm_name.errors.append("That is not this connection's name; nothing was deleted.")
        return _show_connection(connection, 422, delete_form=form)
    detail = {"name": connection.name, "tracker": connection.tracker.value, "via": "admin"}
    request_session().delete(connection)
    commit_change("connection.deleted", f"connection {connection_id}", detail)
    return redirect(url_for("admin.index"), 303)
