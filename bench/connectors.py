"""Benchmark: connector paging vs a raw `requests` loop over the same simulated tracker.

Run from the repository root:  .venv/bin/python -m bench.connectors [--issues 10000] [--latency-ms 0]
Prints, per tracker, the calls the connector made against the minimum (one per page, plus Jira's
one-off custom-field discovery) and its wall time against the raw loop's, with the ratio. Both
loops run `--repeat` times, alternating, and the best time of each counts (the machine is shared).
"""
from __future__ import annotations

import argparse
import math
import time

import requests

from connector.base import TrackedScope
from connector.linear.queries import DOCUMENTS
from connector.registry import build_connector
from tests.simtracker import SimTracker

JIRA_FIELDS = ["summary", "status", "updated", "parent", "labels", "assignee", "issuetype", "customfield_10016"]


def connector_pass(sim: SimTracker, tracker: str) -> tuple[int, int, float]:
    """(items, calls, seconds) for one full fetch through the connector."""
    credentials = {"jira": {"email": "bench@example.com", "api_token": "t"}, "linear": {"api_key": "k"}}[tracker]
    connector = build_connector(tracker, sim.url, credentials, {})   # built outside the timing (schema load)
    sim.reset_calls()
    started, count, cursor = time.perf_counter(), 0, None
    while True:
        page = connector.fetch_changed(None, cursor, scope=TrackedScope(("SIM",)))
        count += len(page.items)
        if (cursor := page.next_cursor) is None:
            break
    return count, sim.call_count, time.perf_counter() - started


def raw_jira(sim: SimTracker, page_size: int) -> tuple[int, float]:
    """The same Cloud search paged with plain requests, JSON left undecoded into objects."""
    session, token, count = requests.Session(), None, 0
    started = time.perf_counter()
    while True:
        body = {"jql": "ORDER BY updated ASC", "maxResults": page_size, "fields": JIRA_FIELDS}
        if token:
            body["nextPageToken"] = token
        answer = session.post(f"{sim.url}/rest/api/3/search/jql", json=body, auth=("bench", "t")).json()
        count += len(answer["issues"])
        token = answer.get("nextPageToken")
        if answer.get("isLast", True) or not token:
            return count, time.perf_counter() - started


def raw_linear(sim: SimTracker, page_size: int) -> tuple[int, float]:
    """The same GraphQL document paged with plain requests (no local validation, no mapping)."""
    session, after, count = requests.Session(), None, 0
    started = time.perf_counter()
    while True:
        payload = {"query": DOCUMENTS["IssuesPage"], "operationName": "IssuesPage",
                   "variables": {"filter": None, "first": page_size, "after": after}}
        answer = session.post(f"{sim.url}/graphql", json=payload, headers={"Authorization": "k"}).json()
        connection = answer["data"]["issues"]
        count += len(connection["nodes"])
        if not connection["pageInfo"]["hasNextPage"]:
            return count, time.perf_counter() - started
        after = connection["pageInfo"]["endCursor"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="fixed latency the simulator adds per answer")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each loop; the best time counts")
    args = parser.parse_args()
    print(f"{args.issues} issues, simulator latency {args.latency_ms} ms per answer")
    print(f"{'tracker':8} {'items':>6} {'calls':>5} {'minimum':>7} {'connector s':>11} {'raw s':>7} {'ratio':>6}")
    for tracker, page_size, raw in (("jira", 100, raw_jira), ("linear", 250, raw_linear)):
        with SimTracker.start(issues=args.issues, page_size=page_size, linear_page_size=page_size,
                              latency_ms=args.latency_ms) as sim:
            raw(sim, page_size)   # warm the simulator's search cache so both passes see the same server
            runs = [(connector_pass(sim, tracker), raw(sim, page_size)) for _ in range(args.repeat)]
        (items, calls, _), (raw_items, _) = runs[0]
        seconds = min(mine[2] for mine, _ in runs)
        raw_seconds = min(theirs[1] for _, theirs in runs)
        minimum = math.ceil(args.issues / page_size) + (1 if tracker == "jira" else 0)
        assert items == raw_items == args.issues, (items, raw_items)
        print(f"{tracker:8} {items:>6} {calls:>5} {minimum:>7} {seconds:>11.2f} {raw_seconds:>7.2f} "
              f"{seconds / raw_seconds:>6.2f}")


if __name__ == "__main__":
    main()
