"""Sync fixtures: a simulated tracker, a world builder and connections to the simulator."""
from __future__ import annotations

import pytest

from okr_core.domain import TrackerKind
from okr_core.models import Base
from okr_core.store import make_engine
from tests.conftest import REDIS_URL
from tests.simtracker import SimTracker
from tests.sync.sync_world import SyncWorld


@pytest.fixture
def sim():
    """A simulated Jira/Linear with 300 seeded issues, pages of 50 (Linear: 50 too)."""
    with SimTracker.start(issues=300, page_size=50, linear_page_size=50) as tracker:
        yield tracker


@pytest.fixture
def sync_world(app) -> SyncWorld:
    return SyncWorld(app)


@pytest.fixture
def jira(sync_world, sim) -> int:
    return sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50)


@pytest.fixture
def linear(sync_world, sim) -> int:
    return sync_world.connection(TrackerKind.LINEAR, sim.url, page_size=50)


@pytest.fixture
def redis_app(settings):
    """An app whose queue and locks use the test Redis database."""
    from okrsync.app import create_app

    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"TESTING": True}, settings=settings.with_overrides(redis_url=REDIS_URL))
    yield app
    app.extensions["okrsync.queue"].shutdown()
    app.extensions["okrsync.engine"].dispose()
