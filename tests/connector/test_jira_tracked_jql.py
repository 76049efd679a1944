"""The JQL a pass bounds its search with, and the part of a split pass outside its projects."""
from __future__ import annotations

from connector.base import TrackedScope
from connector.jira.jql import tracked
from tests.simtracker.data import IssueStore
from tests.simtracker.jql import parse


def test_what_a_connection_tracks_is_one_or_of_projects_parents_and_queries():
    scope = TrackedScope(containers=("SIM",), parents=("OPS-1",), queries=("labels = p1 ORDER BY key",))
    assert tracked(scope) == 'project in ("SIM") OR parent in ("OPS-1") OR (labels = p1)'


def test_excluded_projects_are_left_out_of_the_whole_search():
    scope = TrackedScope(parents=("SIM-1", "SIM2-51"), queries=("labels = p1",), excluded=("SIM", "SIM2"))
    jql = tracked(scope)
    assert jql == '(parent in ("SIM-1", "SIM2-51") OR (labels = p1)) AND project not in ("SIM", "SIM2")'
    store = IssueStore(projects=3)
    store.seed(300)
    matches = parse(jql).predicate
    found = [issue.key for issue in store.live() if matches(issue)]
    # Children of SIM-1 and SIM2-51 are in SIM and SIM2: none left; p1 issues of SIM3 only.
    assert found and all(key.startswith("SIM3-") for key in found)
    assert all("p1" in store.get(key).labels for key in found)
