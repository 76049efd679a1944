"""Benchmark: tracker calls against a simulator as strict as Jira Cloud (issue 13).

Run from the repository root (bench/reconcile.py also runs it after its own figures):
    .venv/bin/python -m bench.tracker_calls [--issues 2000] [--links 10]
Prints, each beside a baseline measured in the same run:
- a full and an incremental Jira pass: calls, whether they succeed and set the cursor; the baseline
  is the unbounded JQL the passes used to send, and what Jira Cloud answers to it;
- one single-issue webhook delivery: calls per link the tracker must evaluate; the baseline is the
  full re-read of every such link that each delivery used to queue;
- comments and blocking relations of the changed linked items: calls against
  ceil(changed items / page); the baseline is one comment listing per changed item;
- more changed linked items than one pass's call budget: calls per pass and what waits for the
  next pass (baseline: dropped);
- an epic deleted without a webhook: the pass that meets it and the one after (baseline: Jira
  refuses the search naming it, so every pass failed).
The simulator runs in this process; the store is a SQLite file in a temporary folder.
"""
from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import requests
from sqlalchemy import func, select

from okr_core.domain import LinkKind, TeamKind, TrackerKind
from okr_core.models import Connection, Delivery, Team, WorkLink
from okr_core.store import session_scope
from tests.simtracker import SimTracker

PAGE = 100


class _Control:
    """What bench.reconcile.make_app needs of a simulator: its URL."""

    def __init__(self, sim: SimTracker):
        self.url = lambda: sim.url


def _app(folder: Path, sim: SimTracker):
    from bench.reconcile import make_app

    return make_app(folder, _Control(sim))


def _connection(app, sim: SimTracker, jql_links: int) -> tuple[int, list[int]]:
    """A Jira connection homed by a team in SIM, one epic link and `jql_links` JQL links."""
    from bench.reconcile import CREDENTIALS, time_today
    from okr_core.domain import CycleStatus, Measure
    from okr_core.models import Cycle, KeyResult, Objective

    box = app.extensions["okrsync.secret_box"]
    labels = ["backend", "frontend", "p1", "customer", "tech-debt"]
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        connection = Connection(tracker=TrackerKind.JIRA, name="bench", base_url=sim.url,
                                credentials_encrypted=box.encrypt_json(CREDENTIALS["jira"]),
                                settings={"page_size": PAGE, "discussion_calls_per_pass": 1000})
        cycle = Cycle(name="Q", start_date=time_today(-30), end_date=time_today(60), status=CycleStatus.ACTIVE)
        session.add_all([connection, cycle])
        session.flush()
        session.add(Team(name="Bench", kind=TeamKind.TEAM, home_connection_id=connection.id, home_project="SIM"))
        objective = Objective(cycle_id=cycle.id, title="Bench")
        session.add(objective)
        session.flush()
        refs = [(LinkKind.EPIC, "SIM-1")] + [(LinkKind.JQL, f'labels = "{labels[n % 5]}" AND project = SIM')
                                             for n in range(jql_links)]
        jql_ids = []
        for kind, ref in refs:
            kr = KeyResult(objective_id=objective.id, title=ref, start_value=0.0, target_value=1.0,
                           measure=Measure.WORK_DONE_RATIO)
            session.add(kr)
            session.flush()
            link = WorkLink(key_result_id=kr.id, connection_id=connection.id, kind=kind, ref=ref)
            session.add(link)
            session.flush()
            if kind is LinkKind.JQL:
                jql_ids.append(link.id)
        return connection.id, jql_ids


def _pass(app, sim: SimTracker, connection_id: int, full: bool):
    from okr_core.models import SyncState
    from sync.reconcile.passes import reconcile_connection

    sim.reset_calls()
    with app.app_context():
        started = time.perf_counter()
        counts = reconcile_connection(connection_id, full=full)
        seconds = time.perf_counter() - started
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        state = session.get(SyncState, connection_id)
        cursor, error = state.cursor, state.last_error
    return counts, sim.call_count, seconds, cursor, error


def breakdown(sim: SimTracker) -> str:
    """Calls by endpoint, e.g. "jql 20, bulkfetch 14, field 1"."""
    names: dict[str, int] = {}
    for call in sim.calls:
        name = call.path.rsplit("/", 1)[-1]
        names[name] = names.get(name, 0) + 1
    return ", ".join(f"{name} {count}" for name, count in sorted(names.items(), key=lambda p: -p[1]))


def report_passes(app, sim: SimTracker, connection_id: int, issues: int) -> None:
    unbounded = requests.post(f"{sim.url}/rest/api/3/search/jql", timeout=10,
                              json={"jql": "ORDER BY updated ASC", "maxResults": PAGE, "fields": ["summary"]})
    print(f"  baseline: the unbounded JQL full passes sent -> HTTP {unbounded.status_code} "
          f"{unbounded.json().get('errorMessages', [''])[0]!r}; the cursor stayed unset")
    counts, calls, seconds, cursor, error = _pass(app, sim, connection_id, full=True)
    print(f"  full pass: {calls} calls ({counts.items_read} items, ceil(N/page) = "
          f"{math.ceil(issues / PAGE)} searches, {counts.discussion_calls} for comments/relations), "
          f"{seconds:.2f} s, error {error!r}, cursor {'set' if cursor else 'UNSET'}; by endpoint: "
          f"{breakdown(sim)} (JQL links re-resolved once per distinct query)")
    changed = [k for k in sim.keys() if sim.issue(k).state == "todo"][: max(1, issues // 100)]
    for key in changed:
        sim.set_state(key, "in_progress")
    counts, calls, seconds, after, error = _pass(app, sim, connection_id, full=False)
    print(f"  incremental pass, {len(changed)} changed: {calls} calls ({counts.items_changed} changed "
          f"items stored, ceil(changed/page) = {math.ceil(len(changed) / PAGE)}), {seconds:.2f} s, "
          f"error {error!r}, cursor {'advanced' if after and cursor and after > cursor else 'NOT advanced'}; "
          f"by endpoint: {breakdown(sim)}")


def report_webhook(app, sim: SimTracker, connection_id: int, jql_ids: list[int]) -> None:
    from sync.ingest.deliveries import process_delivery
    from sync.ingest.links import resolve_link_now

    key = next(k for k in sim.keys() if sim.issue(k).epic_key == "SIM-1")
    sim.store.change(key, title="Edited by a person")
    payload = {"webhookEvent": "jira:issue_updated", "user": {"accountId": "someone"},
               "timestamp": int(datetime.now(timezone.utc).timestamp() * 1000), "issue": sim.jira_issue(key)}
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        row = Delivery(connection_id=connection_id, dedupe_key=f"bench-{time.time()}",
                       event_type="jira:issue_updated", body=json.dumps(payload).encode())
        session.add(row)
        session.flush()
        delivery_id = row.id
    sim.reset_calls()
    with app.app_context():
        process_delivery(delivery_id)
    app.extensions["okrsync.queue"].drain(timeout=600, include_delayed=False)
    calls = sim.call_count
    sim.reset_calls()
    with app.app_context():
        for link_id in jql_ids:   # what each delivery used to queue: every JQL link re-read in full
            resolve_link_now(link_id)
    baseline = sum(c.path.endswith("/search/jql") for c in sim.calls)
    print(f"  one webhook delivery, {len(jql_ids)} JQL links + 1 epic link: {calls} calls = "
          f"{calls / len(jql_ids):.2f} per JQL link (target <= 1); baseline full re-read of those "
          f"links: {baseline} calls = {baseline / len(jql_ids):.1f} per link")


def report_discussions(app, sim: SimTracker, connection_id: int) -> None:
    from sync.reconcile.passes import reconcile_connection

    children = [k for k in sim.keys() if sim.issue(k).epic_key == "SIM-1"]
    for key in children:
        sim.add_comment(key, "Blocked: waiting on the vendor")
    sim.reset_calls()
    with app.app_context():
        counts = reconcile_connection(connection_id)
    discussion = sum(c.path.endswith("/bulkfetch") for c in sim.calls)
    print(f"  comments and relations of {len(children)} changed linked items: {counts.discussion_calls} "
          f"calls ({discussion} bulkfetch), ceil(changed/page) = {math.ceil(len(children) / PAGE)}; "
          f"baseline one comment listing per item: {len(children)} calls")


def report_deleted_epic(app, sim: SimTracker, connection_id: int) -> None:
    """An epic deleted without a webhook: the passes go on without it."""
    from okr_core.models import KeyResult, Objective

    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        objective = session.query(Objective).first()
        kr = KeyResult(objective_id=objective.id, title="SIM-51", start_value=0.0, target_value=1.0)
        session.add(kr)
        session.flush()
        session.add(WorkLink(key_result_id=kr.id, connection_id=connection_id, kind=LinkKind.EPIC, ref="SIM-51"))
    _pass(app, sim, connection_id, full=False)
    sim.delete("SIM-51")
    refused = requests.post(f"{sim.url}/rest/api/3/search/jql", timeout=10, json={
        "jql": 'project in ("SIM") OR parent in ("SIM-1", "SIM-51")', "maxResults": PAGE, "fields": ["summary"]})
    counts, calls, seconds, cursor, error = _pass(app, sim, connection_id, full=False)
    _, after, _, _, later_error = _pass(app, sim, connection_id, full=False)
    print(f"  an epic deleted without a webhook: Jira answers a search naming it HTTP {refused.status_code} "
          f"{refused.json().get('errorMessages', [''])[0]!r} (baseline: every pass failed so); now the next "
          f"pass succeeds (error {error!r}) with {calls} calls (one refused search and one bulkfetch of the epics more than usual), "
          f"the one after it {after} calls (error {later_error!r})")


def report_backlog(app, sim: SimTracker, connection_id: int, budget: int = 1) -> None:
    """More changed linked items than the per-pass call budget reads: the rest wait, none is lost."""
    from okr_core.models import DiscussionBacklog, LinkItem, WorkItem

    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        connection = session.get(Connection, connection_id)
        connection.settings = {**connection.settings, "discussion_calls_per_pass": budget}
        linked = sorted(set(session.scalars(select(WorkItem.key).join(
            LinkItem, LinkItem.work_item_id == WorkItem.id).where(WorkItem.connection_id == connection_id,
                                                                  WorkItem.deleted.is_(False)))))
    changed = linked[:250]
    for key in changed:
        sim.add_comment(key, "Blocked: waiting on the platform team")
    per_pass, waiting = [], []
    for _ in range(5):
        counts, _, _, _, _ = _pass(app, sim, connection_id, full=False)
        per_pass.append(counts.discussion_calls)
        with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
            waiting.append(session.scalar(select(func.count()).select_from(DiscussionBacklog)))
        if not waiting[-1]:
            break
    print(f"  comments of {len(changed)} changed linked items with a budget of {budget} call per pass: "
          f"calls per pass {per_pass}, items still waiting after each {waiting} "
          f"(ceil({len(changed)}/{PAGE}) = {math.ceil(len(changed) / PAGE)} passes); baseline: after the first "
          f"pass the other {max(0, len(changed) - budget * PAGE)} were dropped, never read")


def run(issues: int = 2000, links: int = 10) -> None:
    with SimTracker.start(issues=issues, page_size=PAGE) as sim, tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder), sim)
        connection_id, jql_ids = _connection(app, sim, links)
        print(f"tracker calls (Jira Cloud rules, {issues} issues, time zone {sim.jira.time_zone}):")
        try:
            report_passes(app, sim, connection_id, issues)
            report_webhook(app, sim, connection_id, jql_ids)
            report_discussions(app, sim, connection_id)
            report_backlog(app, sim, connection_id)
            report_deleted_epic(app, sim, connection_id)
        finally:
            app.extensions["okrsync.queue"].shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--links", type=int, default=10)
    args = parser.parse_args()
    run(args.issues, args.links)


if __name__ == "__main__":
    main()
