"""Which tracked Jira projects still exist: asked after a search naming one was refused."""
from __future__ import annotations

import pytest

from connector.registry import build_connector
from tests.simtracker import SimTracker

CREDENTIALS = {"cloud": {"email": "bot@example.com", "api_token": "t"},
               "datacenter": {"personal_access_token": "pat"}}


@pytest.mark.parametrize("site", ["cloud", "datacenter"])
def test_deleted_and_unknown_projects_are_left_out_whatever_the_case(site):
    with SimTracker.start(issues=120, projects=3) as sim:
        sim.delete_project("SIM2")
        connector = build_connector("jira", sim.url, CREDENTIALS[site], {}, sleep=lambda _: None)
        assert connector.existing_projects(["SIM", "sim3", "SIM2", "NOPE", " "]) == {"SIM", "SIM3"}
        assert connector.existing_projects(["SIM2"]) == set()   # Cloud answers 404: none found
        sim.restore_project("SIM2")
        assert connector.existing_projects(["SIM2"]) == {"SIM2"}


def test_cloud_asks_for_at_most_50_project_keys_a_call():
    with SimTracker.start(issues=60) as sim:
        connector = build_connector("jira", sim.url, CREDENTIALS["cloud"], {}, sleep=lambda _: None)
        sim.reset_calls()
        keys = ["SIM"] + [f"GONE{n}" for n in range(60)]
        assert connector.existing_projects(keys) == {"SIM"}
        asked = [c for c in sim.calls if c.path == "/rest/api/3/project/search"]
        assert len(asked) == 2 and all(c.status in (200, 404) for c in asked)
