"""Admin test fixtures: signed-in clients per role, planted secrets, and a leak check on every test.

Every response body and every line the app's log handler would write during each test here is
scanned for the planted secrets; a test whose output shows one fails at teardown.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import flask
import pytest

from okr_core.domain import Role
from tests.okrsync.admin.web import make_user, sign_in


@dataclass(frozen=True)
class Planted:
    """Secrets the tests type into forms and settings; none may ever come back out."""

    jira_token: str
    jira_pat: str
    linear_key: str
    linear_webhook_secret: str
    llm_key: str
    env_openai_key: str
    smtp_password: str
    slack_token: str
    slack_webhook: str

    def all(self) -> tuple[str, ...]:
        return tuple(vars(self).values())


PLANTED = Planted(*(f"{name}-{uuid.uuid4().hex}" for name in (
    "jira-api-token", "jira-pat", "lin-api-key", "lin-webhook", "sk-llm", "sk-env", "smtp-pw")),
    f"xoxb-{uuid.uuid4().hex}", f"https://hooks.slack.com/services/T1/B1/{uuid.uuid4().hex}")


class OutputTap(logging.Handler):
    """Collects response bodies and the log lines the app's own handler would write."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.bodies: list[tuple[str, str]] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        app_handler = next((h for h in logging.getLogger().handlers
                            if getattr(h, "_okrsync", False)), None)
        if app_handler is not None and app_handler.filter(record):
            self.lines.append(app_handler.format(record))

    def on_response(self, sender, response, **extra) -> None:
        if not response.direct_passthrough:
            self.bodies.append((flask.request.path, response.get_data(as_text=True)))


@pytest.fixture(autouse=True)
def output_tap():
    tap = OutputTap()
    root = logging.getLogger()
    root.addHandler(tap)
    flask.request_finished.connect(tap.on_response)
    yield tap
    flask.request_finished.disconnect(tap.on_response)
    root.removeHandler(tap)
    leaks = [(where, secret) for secret in PLANTED.all()
             for where, text in tap.bodies + [("log", line) for line in tap.lines]
             if secret in text]
    assert not leaks, f"planted secrets leaked: {leaks}"


@pytest.fixture
def settings(settings):
    """The shared settings, with an OPENAI_API_KEY from the environment planted."""
    return settings.with_overrides(openai_api_key=PLANTED.env_openai_key)


@pytest.fixture
def signed_in(app):
    """A function giving a test client signed in with the given role."""
    def make(role: Role):
        client = app.test_client()
        assert sign_in(client, make_user(app, role)).status_code == 302
        return client
    return make


@pytest.fixture
def admin_client(signed_in):
    return signed_in(Role.ADMIN)
