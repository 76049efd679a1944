"""Tracker connections (admins only): secrets go in encrypted and never come back out."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify
from pydantic import ValidationError
from sqlalchemy import select

from config.audit import record_audit
from sync.connections.connection_check import check_stored_connection
from connector.jira.cloud_site import forget_site_if_moved
from config.known_secrets import known_secrets
from config.urlsafety import UnsafeURL, check_outbound_url
from okr_core.accounts import new_webhook_secret
from okr_core.domain import TrackerKind
from okr_core.models import Connection
from api.auth import require_admin
from api.common import load, paginate
from api.errors import ApiError
from api.connection_schemas import (
    ConnectionCreate, ConnectionCreatedOut, ConnectionOut, ConnectionPatch, ConnectionTestOut,
    JiraCredentials, LinearCredentials,
)
from api.spec import parse_body, route
from plumbing.db import request_session
from plumbing.services import allowlist, secret_box

bp = Blueprint("api_connections", __name__)
CREDENTIALS = {TrackerKind.JIRA: JiraCredentials, TrackerKind.LINEAR: LinearCredentials}


class ConnectionCheckOut(ConnectionTestOut):
    account: str | None
    problems: list[str]
    missing_permissions: list[str]


def _commit_change(action: str, connection: Connection, detail: dict | None = None) -> None:
    """Audit an admin change, commit it, and re-learn the secrets logs must not show."""
    record_audit(request_session(), g.viewer.user_id, action, f"connection {connection.id}",
                 detail)
    request_session().commit()
    known_secrets(current_app).refresh()


def connection_out(connection: Connection) -> dict:
    credentials = secret_box().decrypt_json(connection.credentials_encrypted)
    kind = next((k for k in ("api_token", "personal_access_token", "api_key", "oauth_token")
                 if credentials.get(k)), "none")
    base = current_app.config["SETTINGS"].base_url
    return ConnectionOut(
        id=connection.id, tracker=connection.tracker, name=connection.name,
        base_url=connection.base_url, settings=connection.settings or {},
        webhook_url=f"{base}/webhooks/{connection.tracker.value}/{connection.id}",
        has_webhook_secret=bool(connection.webhook_secret_encrypted), credential_kind=kind,
        cloud_id=connection.cloud_id, created_at=connection.created_at,
    ).model_dump(mode="json")


def _validated_credentials(tracker: TrackerKind, raw: dict) -> dict:
    try:
        model = CREDENTIALS[tracker].model_validate(raw)
    except ValidationError as exc:
        fields = {"credentials." + (".".join(str(p) for p in e["loc"]) or "body"): e["msg"]
                  for e in exc.errors()}
        raise ApiError(422, "invalid_fields", "the credentials are incomplete or invalid", fields)
    return model.model_dump(exclude_none=True)


def _validated_url(url: str) -> str:
    try:
        return check_outbound_url(url.rstrip("/"), allowlist())
    except UnsafeURL as exc:
        raise ApiError(422, "invalid_fields", f"base_url is refused: {exc}", {"base_url": str(exc)})


@route(bp, "/connections", "POST", "Add a Jira or Linear connection (no tracker is called)",
       body=ConnectionCreate, response=ConnectionCreatedOut, status=201)
def create_connection():
    require_admin()
    body = parse_body(ConnectionCreate)
    box = secret_box()
    generated = None if body.webhook_secret else new_webhook_secret()
    connection = Connection(
        tracker=body.tracker, name=body.name, base_url=_validated_url(body.base_url),
        credentials_encrypted=box.encrypt_json(_validated_credentials(body.tracker,
                                                                      body.credentials)),
        webhook_secret_encrypted=box.encrypt(body.webhook_secret or generated),
        settings=body.settings)
    request_session().add(connection)
    request_session().flush()
    _commit_change("connection.created", connection, {"name": connection.name, "via": "api"})
    return jsonify({**connection_out(connection), "generated_webhook_secret": generated}), 201


@route(bp, "/connections", "GET", "List connections", response=ConnectionOut, paged=True)
def list_connections():
    require_admin()
    return paginate(select(Connection).order_by(Connection.id), to_dict=connection_out)


@route(bp, "/connections/<int:connection_id>", "GET", "Get a connection",
       response=ConnectionOut)
def get_connection(connection_id: int):
    require_admin()
    return jsonify(connection_out(load(Connection, connection_id, "connection")))


@route(bp, "/connections/<int:connection_id>", "PATCH", "Change a connection",
       body=ConnectionPatch, response=ConnectionOut)
def patch_connection(connection_id: int):
    require_admin()
    connection = load(Connection, connection_id, "connection")
    fields = parse_body(ConnectionPatch).model_dump(exclude_unset=True)
    box = secret_box()
    if fields.get("name") is not None:
        connection.name = fields["name"]
    if fields.get("base_url") is not None:
        previous_base_url = connection.base_url
        connection.base_url = _validated_url(fields["base_url"])
        forget_site_if_moved(connection, previous_base_url)
    if fields.get("credentials") is not None:
        connection.credentials_encrypted = box.encrypt_json(
            _validated_credentials(connection.tracker, fields["credentials"]))
    if fields.get("webhook_secret") is not None:
        connection.webhook_secret_encrypted = box.encrypt(fields["webhook_secret"])
    if fields.get("settings") is not None:
        connection.settings = fields["settings"]
    _commit_change("connection.edited", connection, {"fields": sorted(fields), "via": "api"})
    return jsonify(connection_out(connection))


@route(bp, "/connections/<int:connection_id>", "DELETE", "Remove a connection", status=204)
def delete_connection(connection_id: int):
    require_admin()
    connection = load(Connection, connection_id, "connection")
    request_session().delete(connection)
    _commit_change("connection.deleted", connection, {"via": "api"})
    return "", 204


@route(bp, "/connections/<int:connection_id>/test", "POST",
       "Call the tracker with the stored credentials and report each problem found",
       response=ConnectionCheckOut)
def test_connection(connection_id: int):
    require_admin()
    check = check_stored_connection(load(Connection, connection_id, "connection"))
    message = "the connection works" if check.ok else " ".join(check.problems)
    return jsonify(ConnectionCheckOut(
        ok=check.ok, message=message, account=check.account, problems=list(check.problems),
        missing_permissions=list(check.missing_permissions)).model_dump(mode="json"))
