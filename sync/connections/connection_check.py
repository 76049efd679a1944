"""Testing a stored connection: the same code behind the admin button and `POST .../test`."""
from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import object_session

from connector.base import ConnectionCheck
from connector.errors import TrackerError
from connector.registry import build_connector, tracker
from config.known_secrets import known_secrets
from config.urlsafety import UnsafeURL, check_outbound_url, safe_session
from okr_core.models import Connection
from plumbing.services import allowlist, secret_box

# A test should answer within a browser's patience: one attempt, a short timeout.
TEST_OVERRIDES = {"max_attempts": 1, "timeout": 15.0}


def check_stored_connection(connection: Connection) -> ConnectionCheck:
    """Call the tracker through an outbound-checked session; every failure becomes a message."""
    allowed = tuple(allowlist())
    try:
        check_outbound_url(connection.base_url, allowed)
        credentials = secret_box().decrypt_json(connection.credentials_encrypted)
        connector = build_connector(connection.tracker, connection.base_url, credentials,
                                    {**(connection.settings or {}), **TEST_OVERRIDES},
                                    session=safe_session(allowed))
        check = connector.test_connection()
        if check.ok and tracker(connection.tracker).record_tested_site(connection, safe_session(allowed)):
            _save_recorded_site(connection)
    except UnsafeURL as refused:
        check = ConnectionCheck(False, problems=(f"The URL is refused: {refused}",))
    except ValueError as incomplete:
        check = ConnectionCheck(False, problems=(f"The connection is incomplete: {incomplete}",))
    except TrackerError as failure:
        check = ConnectionCheck(False, problems=(f"The tracker call failed: {failure}",))
    redact = known_secrets(current_app).redact
    return ConnectionCheck(check.ok, check.account, tuple(redact(p) for p in check.problems),
                           check.missing_permissions)


def _save_recorded_site(connection: Connection) -> None:
    """Keep the cloud id the site told (a test changes nothing else on the connection)."""
    session = object_session(connection)
    if session is not None and session.is_modified(connection):
        session.commit()
