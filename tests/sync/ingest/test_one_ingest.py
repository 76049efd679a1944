"""Deliveries, link resolution, reconcile pages and search scopes reach the store through the one
`sync.ingest.apply.ingest`: every statement writing work items or link memberships runs inside it,
and the same tracker issue arriving by each path is stored, linked and counted alike."""
from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from okr_core.domain import LinkKind, Measure, TrackerKind
from okr_core.models import Connection, WorkItem, WorkLink
from sync.connections.connectors import connector_for
from sync.ingest import apply
from sync.ingest.batch_links import links_by_id
from sync.ingest.links import resolve_link_now
from sync.reconcile.finish import recount_pending
from sync.reconcile.passes import reconcile_connection
from sync.reconcile.scopes import resolve_scopes
from tests.webhooks.webhook_signing import TEST_SECRET, signed_headers

PATHS = ("delivery", "link resolution", "reconcile page", "scope")
# Settings every connection shares: the simulator's points fields known, unestimated work weighs 5.
FACTS = {"account_id": "sim-bot", "time_zone": "America/Los_Angeles",
         "points_fields": ["customfield_10016", "customfield_10034"]}
WRITES = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+(work_items|link_items)\b", re.I)


@contextmanager
def item_writes():
    """(inside ingest?, statement) of every statement writing items or memberships meanwhile."""
    seen: list[tuple[bool, str]] = []
    ingest_code = apply.ingest.__code__

    def record(conn, cursor, statement, parameters, context, executemany):
        if WRITES.match(statement):
            frame, inside = sys._getframe(), False
            while frame is not None and not inside:
                inside, frame = frame.f_code is ingest_code, frame.f_back
            seen.append((inside, " ".join(statement.split())[:80]))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def arrange(app, sync_world, sim, key: str) -> tuple[int, int, int]:
    """A connection of its own, and a points KR linked to the one issue: (connection, KR, link)."""
    facts = {**FACTS, "fetched_at": datetime.now(timezone.utc).isoformat()}
    connection = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50,
                                       default_estimate=5, site_facts=facts)
    with sync_world.scope() as session:
        row = session.get(Connection, connection)
        row.webhook_secret_encrypted = app.extensions["okrsync.secret_box"].encrypt(TEST_SECRET)
    kr = sync_world.linked_kr(connection, LinkKind.ISSUE, key, measure=Measure.POINTS_DONE_RATIO)
    with sync_world.scope() as session:
        link = session.scalar(select(WorkLink.id).where(WorkLink.key_result_id == kr))
    return connection, kr, link


def run_path(path: str, app, client, sim, sync_world, connection: int, link: int, key: str) -> None:
    if path == "delivery":
        issue = sim.jira_issue(key)
        issue["self"] = f"{sim.url}/rest/api/2/issue/{issue['id']}"   # as Jira's payloads carry it
        payload = {"webhookEvent": "jira:issue_updated", "user": {"accountId": "someone-else"},
                   "timestamp": int(datetime.now(timezone.utc).timestamp() * 1000), "issue": issue}
        body = json.dumps(payload).encode()
        answer = client.post(f"/webhooks/jira/{connection}", data=body,
                             headers={"Content-Type": "application/json",
                                      **signed_headers(TrackerKind.JIRA, body, f"{key}-{connection}")})
        assert answer.status_code == 200, answer.get_json()
        app.extensions["okrsync.queue"].drain()
        return
    with app.app_context():
        if path == "link resolution":
            assert resolve_link_now(link) == 1
        elif path == "reconcile page":
            reconcile_connection(connection)
        else:
            with sync_world.scope() as session:
                links = links_by_id(session, connection, [link])
                connector = connector_for(session.get(Connection, connection))
            try:
                assert resolve_scopes(connection, connector, links, {links[0].scope}) == 1
            finally:
                connector.close()
            recount_pending(connection)   # a pass recounts what its scopes moved at its end


def outcome(sync_world, connection: int, kr: int, link: int, key: str) -> tuple:
    """What the store holds for the issue and its KR (ids and bookkeeping times aside)."""
    with sync_world.scope() as session:
        row = session.scalars(select(WorkItem).where(WorkItem.connection_id == connection,
                                                     WorkItem.key == key)).one()
        item = (row.external_id, row.title, str(row.status_category), row.status_name,
                row.estimate, row.parent_ref, tuple(row.labels), row.assignee, row.url,
                row.tracker_updated_at, row.deleted)
    counted = sync_world.kr(kr)
    return (item, sync_world.members(link), counted.points_done, counted.points_total,
            counted.items_done, counted.items_total, counted.progress)


def test_each_path_stores_and_counts_the_same_issue_alike_through_the_one_ingest(
        app, client, sim, sync_world):
    # An unestimated issue: its KR's points depend on the connection's default estimate (5).
    key = next(k for k in sim.keys() if sim.issue(k).points is None and sim.issue(k).state == "done"
               and sim.issue(k).resolution is None)
    outcomes = {}
    for path in PATHS:
        connection, kr, link = arrange(app, sync_world, sim, key)
        with item_writes() as writes:
            run_path(path, app, client, sim, sync_world, connection, link, key)
        assert writes, f"{path}: nothing written"
        outside = [statement for inside, statement in writes if not inside]
        assert outside == [], f"{path} wrote items or memberships outside ingest: {outside}"
        outcomes[path] = outcome(sync_world, connection, kr, link, key)
    first = outcomes[PATHS[0]]
    assert first[1] == {key} and first[2:4] == (5.0, 5.0)   # done, unestimated: weighs 5
    assert {path: got for path, got in outcomes.items() if got != first} == {}
