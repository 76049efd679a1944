"""API test fixtures: a world builder, a small organisation, and the route-coverage marker."""
from __future__ import annotations

import pytest
from tests.api.api_world import Org, World, build_org


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "route(name, outcome): the test proves `outcome` ('ok' or 'error') of the "
                   "API route `name` ('METHOD /rule'); see test_api_route_coverage.py")


@pytest.fixture
def world(app) -> World:
    return World(app)


@pytest.fixture
def org(actors) -> Org:
    return build_org(actors)
