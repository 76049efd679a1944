"""Linear deliveries caused by okrsync's own writes (mirror projects, status updates,
attachments) cost no tracker call and recount nothing; the same changes by a person still do.

Linear names who acted in every webhook body (`actor`, EntityWebhookPayload in Linear's schema);
writes made with an API key are made by the key's user, the `viewer`."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from connector.base import MirrorKind, MirrorSpec
from okr_core.domain import KRStatus, LinkKind, TrackerKind
from okr_core.models import Connection
from sync.connections.connectors import connector_for
from tests.simtracker.linear_api import TEAM_ID
from tests.simtracker.linear_webhooks import PERSON, VIEWER, entity_payload
from tests.webhooks.intake.intake_helpers import (
    add_linked_kr, deliveries, post, signed_headers, snapshot_count,
)

LINEAR = TrackerKind.LINEAR


def deliver(app, client, connection_id: int, payload: dict) -> None:
    body = json.dumps(payload).encode()
    headers = signed_headers(LINEAR, body, str(uuid.uuid4()))
    assert post(client, LINEAR, connection_id, body, headers).status_code == 200
    app.extensions["okrsync.queue"].drain()


def okrsync_writes(app, connection_id: int, issue_id: str) -> str:
    """What write-backs do to Linear, through the connector: a KR mirror project made and
    renamed, a status update posted, an attachment written; the project's id."""
    with app.app_context():
        with app.extensions["okrsync.sessionmaker"]() as session:
            connection = session.get(Connection, connection_id)
            session.expunge(connection)
        connector = connector_for(connection)
        spec = MirrorSpec(MirrorKind.KEY_RESULT, "7", "Ship it", "Progress 0%", TEAM_ID)
        mirror = connector.create_mirror(spec)
        connector.update_mirror(mirror, MirrorSpec(MirrorKind.KEY_RESULT, "7", "Ship it", "Progress 40%", TEAM_ID))
        connector.post_status_update(mirror, KRStatus.ON_TRACK, "On track: 40%")
        connector.write_attachment(issue_id, "https://okrsync.test/kr/7", "Ship it: 40%")
        connector.close()
    return mirror.external_id


def test_deliveries_caused_by_okrsyncs_own_linear_writes_cost_nothing(app, client, sim, linear_id):
    key = next(k for k in sim.keys() if sim.issue(k).epic_key)
    initiative = add_linked_kr(app, linear_id, LinkKind.INITIATIVE, sim.store.initiative_id(sim.issue(key).epic_key))
    deliver(app, client, linear_id, sim.linear_issue_webhook(key))        # stored; a person's change
    project = okrsync_writes(app, linear_id, sim.issue(key).linear_id)
    mirrored = add_linked_kr(app, linear_id, LinkKind.PROJECT, project)   # someone links the mirror
    caused = list(sim.linear_webhooks)
    assert {(p["type"], p["action"]) for p in caused} >= {
        ("Project", "create"), ("Project", "update"), ("ProjectUpdate", "create"), ("Attachment", "create")}
    assert all(p["actor"]["id"] == VIEWER["id"] for p in caused)
    sim.store.change(key)                            # the attachment moved the issue's updatedAt
    caused.append(sim.linear_issue_webhook(key, by=VIEWER))
    snapshots = (snapshot_count(app, initiative), snapshot_count(app, mirrored))
    sim.reset_calls()
    for payload in caused:
        deliver(app, client, linear_id, payload)
    assert sim.calls == []
    assert (snapshot_count(app, initiative), snapshot_count(app, mirrored)) == snapshots
    assert {d.state for d in deliveries(app)} <= {"done", "ignored"}
    # The same changes made by a person are still checked with the tracker.
    for payload in (caused[-1], *(p for p in caused if (p["type"], p["action"]) == ("Project", "update"))):
        deliver(app, client, linear_id, {**payload, "actor": {**payload["actor"], **PERSON}})
    assert {c.operation for c in sim.calls} == {"IssuesPage"} and len(sim.calls) == 2


def test_older_linear_payloads_without_an_actor_are_not_taken_for_ours(app, client, sim, linear_id):
    key = next(k for k in sim.keys() if sim.issue(k).epic_key)
    add_linked_kr(app, linear_id, LinkKind.INITIATIVE, sim.store.initiative_id(sim.issue(key).epic_key))
    okrsync_writes(app, linear_id, sim.issue(key).linear_id)    # okrsync knows its viewer now
    payload = sim.linear_issue_webhook(key)
    del payload["actor"]
    sim.reset_calls()
    deliver(app, client, linear_id, payload)
    # The initiative link is asked about the issue (then the KR, now counting it, is written back).
    assert [c.operation for c in sim.calls if not c.operation.startswith("Create")] == ["IssuesPage"]
