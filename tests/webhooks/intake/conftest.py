"""Intake fixtures: a simulated tracker and connections to it, flushed Redis for queue tests."""
from __future__ import annotations

import pytest

from okr_core.domain import TrackerKind
from okr_core.models import Base
from okr_core.store import make_engine
from tests.webhooks.intake.intake_helpers import add_connection
from tests.simtracker import SimTracker


@pytest.fixture
def settings(settings):
    """The shared test settings, with the loopback simulator allowed as an outbound target."""
    return settings.with_overrides(outbound_allowlist=("127.0.0.1",))


@pytest.fixture
def sim():
    """A simulated Jira/Linear with 400 seeded issues (Jira ids 10001-10400)."""
    with SimTracker.start(issues=400) as tracker:
        yield tracker


@pytest.fixture
def jira_id(app, sim) -> int:
    """A Jira connection to the simulator, signed with the test secret."""
    return add_connection(app, TrackerKind.JIRA, sim.url,
                          {"email": "bot@example.test", "api_token": "sim-token"})


@pytest.fixture
def linear_id(app, sim) -> int:
    """A Linear connection to the simulator, signed with the test secret."""
    return add_connection(app, TrackerKind.LINEAR, sim.url, {"api_key": "lin_api_sim"})


@pytest.fixture
def make_app(settings):
    """Apps on one shared store, each with the Redis URL it is given."""
    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    apps = []

    def build(redis_url: str):
        from okrsync.app import create_app

        app = create_app({"TESTING": True}, settings=settings.with_overrides(redis_url=redis_url))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["okrsync.queue"].shutdown()
        app.extensions["okrsync.engine"].dispose()


@pytest.fixture
def flask_requests(app):
    """The paths of requests that went through Flask's request machinery."""
    seen = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append(_flask_path()))
    return seen


def _flask_path():
    from flask import request

    return request.path
