"""A single-issue delivery costs one tracker call per link the tracker must evaluate, and a
delivery caused by okrsync's own write to a mirror costs nothing."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from okr_core.domain import LinkKind, TrackerKind
from tests.webhooks.intake.intake_helpers import add_connection, add_linked_kr, post, signed_headers, snapshot_count

JIRA = TrackerKind.JIRA
OURS = "sim-bot"   # the account the simulator's /myself names


def jira_delivery(sim, key: str, author: str = "someone-else") -> tuple[bytes, dict]:
    payload = {"webhookEvent": "jira:issue_updated", "timestamp": int(datetime.now(timezone.utc).timestamp() * 1000),
               "user": {"accountId": author}, "issue": sim.jira_issue(key)}
    body = json.dumps(payload).encode()
    return body, signed_headers(JIRA, body, f"{key}-{payload['timestamp']}-{author}")


def deliver(app, client, connection_id, body, headers) -> None:
    assert post(client, JIRA, connection_id, body, headers).status_code == 200
    app.extensions["okrsync.queue"].drain()


def jira_connection(app, sim) -> int:
    facts = {"account_id": OURS, "time_zone": "America/Los_Angeles",
             "points_fields": ["customfield_10016", "customfield_10034"],
             "fetched_at": datetime.now(timezone.utc).isoformat()}
    return add_connection(app, JIRA, sim.url, {"email": "bot@example.test", "api_token": "t"},
                          settings={"site_facts": facts, "retry_base_delay": 0.001})


def test_one_delivery_costs_one_call_per_jql_link_and_none_for_local_links(app, client, sim):
    connection = jira_connection(app, sim)
    key = next(k for k in sim.keys() if "p1" in sim.issue(k).labels and sim.issue(k).epic_key)
    p1 = add_linked_kr(app, connection, LinkKind.JQL, "labels = p1")
    add_linked_kr(app, connection, LinkKind.JQL, 'labels = "tech-debt" ORDER BY rank')
    add_linked_kr(app, connection, LinkKind.EPIC, sim.issue(key).epic_key)   # decided locally
    sim.reset_calls()
    deliver(app, client, connection, *jira_delivery(sim, key))
    assert [c.path for c in sim.calls] == ["/rest/api/3/search/jql"] * 2
    assert all(c.status == 200 for c in sim.calls)
    from tests.webhooks.intake.intake_helpers import key_result
    assert key_result(app, p1).items_total == 1


def test_a_delivery_caused_by_okrsyncs_own_write_costs_nothing(app, client, sim):
    connection = jira_connection(app, sim)
    key = next(k for k in sim.keys() if "p1" in sim.issue(k).labels)
    kr = add_linked_kr(app, connection, LinkKind.JQL, "labels = p1")
    deliver(app, client, connection, *jira_delivery(sim, key))
    snapshots = snapshot_count(app, kr)
    sim.store.change(key, description="Progress 40% (okrsync)")   # what a mirror write does
    sim.reset_calls()
    deliver(app, client, connection, *jira_delivery(sim, key, author=OURS))
    assert sim.calls == [] and snapshot_count(app, kr) == snapshots
    # The same change by someone else is still checked against the link.
    sim.store.change(key, description="edited by a person")
    deliver(app, client, connection, *jira_delivery(sim, key))
    assert [c.path for c in sim.calls] == ["/rest/api/3/search/jql"]


def test_a_reread_of_an_issue_deleted_meanwhile_does_not_fail_the_delivery(app, client, sim):
    from tests.webhooks.intake.intake_helpers import deliveries

    connection = jira_connection(app, sim)
    key = sim.keys()[5]
    trimmed = {"webhookEvent": "jira:issue_updated", "user": {"accountId": "someone-else"},
               "timestamp": int(datetime.now(timezone.utc).timestamp() * 1000),
               "issue": {"id": sim.issue(key).jira_id, "key": key, "fields": {}}}   # must be re-read
    sim.delete(key)
    body = json.dumps(trimmed).encode()
    sim.reset_calls()
    deliver(app, client, connection, body, signed_headers(JIRA, body, "trimmed-deleted"))
    # Bulkfetch leaves the deleted issue out; `issue in (...)` would have refused the whole read.
    assert [c.path for c in sim.calls] == ["/rest/api/3/issue/bulkfetch"]
    assert [d.state for d in deliveries(app)] == ["done"]
