"""Soak: paced signed deliveries for a while (10 minutes by default) while Redis restarts, a
worker is SIGKILLed, the database connection drops, duplicates and out-of-order deliveries
arrive, and one connection's tracker stays down. Prints acknowledged / stored / processed /
lost / doubled, and the healthy connection's apply latency p50/p95.

Usage: python bench/soak.py [--minutes 10] [--rate 2] [--workers 2]
The sweeper runs with its production timing (every 30 s, deliveries stale after 60 s).
PostgreSQL from OKRSYNC_BENCH_PG_URL (a schema of its own, dropped after); Redis is a private
redis-server on a free port; the tracker is tests/simtracker (the dead one a closed port).
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.soak_world import SECRET, World  # noqa: E402
from tests.simtracker import SimTracker  # noqa: E402

TRIMMED = json.loads((REPO / "tests/fixtures/jira/webhooks/"
                      "jira_issue_updated__assigned_empty_changelog.json").read_bytes())
FULL = json.loads((REPO / "tests/fixtures/jira/webhooks/jira_issue_updated__resolved.json")
                  .read_bytes())


class Sender:
    """Posts signed deliveries like Jira: retries a refused one (5xx, no answer) with back-off."""

    def __init__(self, port: int):
        self.port = port
        self.acknowledged: dict[str, set[str]] = {"healthy": set(), "dead": set()}
        self.unacknowledged = 0
        self.sent = 0

    def post(self, connection: tuple[str, int], body: bytes, delivery_id: str) -> None:
        from webhooks.events import expected_signature

        headers = {"Content-Type": "application/json", "X-Atlassian-Webhook-Identifier":
                   delivery_id, "X-Hub-Signature": expected_signature("jira", body, SECRET)}
        self.sent += 1
        for wait in (0.5, 1, 2, 4, 8, 16):
            try:
                client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
                client.request("POST", f"/webhooks/jira/{connection[1]}", body=body,
                               headers=headers)
                status = client.getresponse().status
                client.close()
            except OSError:
                status = 0
            if status == 200:
                self.acknowledged[connection[0]].add(delivery_id)
                return
            time.sleep(wait)
        self.unacknowledged += 1


def delivery(kind: str, issue, n: int, stamp: int) -> bytes:
    payload = json.loads(json.dumps(TRIMMED if kind == "trimmed" else FULL))
    payload["issue"]["id"] = issue.jira_id
    if kind != "trimmed":
        payload["issue"]["key"] = issue.key
        payload["timestamp"] = stamp
    return json.dumps(payload).encode()


def send_all(args, world: World, sender: Sender, ids: dict, sim: SimTracker, stop: threading.Event):
    """Paced: mostly deliveries that need a re-read, some full ones sent out of order, some
    duplicates, and every fifth to the connection whose tracker is down."""
    rng = random.Random(14)
    keys = sim.keys()[:world.issues]
    n, interval = 0, 1.0 / args.rate
    while not stop.is_set():
        started = time.monotonic()
        issue = sim.issue(rng.choice(keys))
        n += 1
        if n % 5 == 0:
            sender.post(("dead", ids["dead"]), delivery("trimmed", issue, n, 0), f"dead-{n}")
        elif n % 7 == 0:   # out of order: the newer state first, then the older one
            stamp = int(time.time() * 1000)
            sender.post(("healthy", ids["healthy"]), delivery("full", issue, n, stamp), f"new-{n}")
            sender.post(("healthy", ids["healthy"]), delivery("full", issue, n, stamp - 60_000),
                        f"old-{n}")
        else:
            body = delivery("trimmed", issue, n, 0)
            sender.post(("healthy", ids["healthy"]), body, f"h-{n}")
            if n % 10 == 1:   # the tracker sends it again (same delivery id)
                sender.post(("healthy", ids["healthy"]), body, f"h-{n}")
        stop.wait(max(0.0, interval - (time.monotonic() - started)))


def run_faults(args, world: World, log) -> None:
    """The fault schedule, at fractions of the run."""
    total = args.minutes * 60
    at = time.monotonic()
    steps = [(0.2, "redis restart", lambda: (world.redis.stop(), time.sleep(5), world.redis.start())),
             (0.4, "worker SIGKILL", lambda: (world.kill_worker(world.workers[0]),
                                              world.start_worker())),
             (0.6, "database connection dropped for 8 s",
              lambda: (world.proxy.cut(), time.sleep(8), world.proxy.start())),
             (0.8, "redis restart", lambda: (world.redis.stop(), time.sleep(5), world.redis.start()))]
    for fraction, name, action in steps:
        time.sleep(max(0.0, at + fraction * total - time.monotonic()))
        log(f"fault: {name}")
        action()


def tally(world: World, sender: Sender, ids: dict) -> dict:
    with create_engine(world.direct_url).connect() as db:
        rows = db.execute(text(
            "SELECT connection_id, dedupe_key, state, attempts,"
            " EXTRACT(EPOCH FROM processed_at - received_at) FROM deliveries")).all()
    result = {}
    for name in ("healthy", "dead"):
        mine = [r for r in rows if r[0] == ids[name]]
        keys = [r[1] for r in mine]
        acknowledged = sender.acknowledged[name]
        done = [r for r in mine if r[2] == "done"]
        result[name] = {
            "acknowledged": len(acknowledged), "stored": len(set(keys) & acknowledged),
            "processed": len(done), "waiting": sum(r[2] == "pending" for r in mine),
            "failed": sum(r[2] == "failed" for r in mine),
            "lost": len(acknowledged - set(keys)) + (
                sum(r[2] != "done" for r in mine) if name == "healthy" else 0),
            "doubled": len(keys) - len(set(keys)),
            "latencies": sorted(float(r[4]) for r in done if r[4] is not None)}
    return result


def settle(world: World, sender: Sender, ids: dict, seconds: float) -> dict:
    """Wait until every acknowledged healthy delivery is processed (or `seconds` pass)."""
    deadline = time.monotonic() + seconds
    while True:
        counts = tally(world, sender, ids)
        healthy = counts["healthy"]
        if healthy["processed"] >= healthy["acknowledged"] or time.monotonic() > deadline:
            return counts
        time.sleep(2)


def report(args, counts: dict, sender: Sender) -> None:
    for name, figures in counts.items():
        print(f"{name:8s} acknowledged {figures['acknowledged']}, stored {figures['stored']}, "
              f"processed {figures['processed']}, waiting {figures['waiting']}, failed "
              f"{figures['failed']}, lost {figures['lost']}, doubled {figures['doubled']}")
    latencies = counts["healthy"]["latencies"]
    if len(latencies) >= 20:
        cuts = statistics.quantiles(latencies, n=20)
        print(f"healthy connection apply latency (stored -> applied): p50 "
              f"{statistics.median(latencies) * 1000:.0f} ms, p95 {cuts[18] * 1000:.0f} ms "
              f"({len(latencies)} deliveries)")
    print(f"posts {sender.sent}, never acknowledged after 6 tries (a tracker retries these): "
          f"{sender.unacknowledged}; {args.minutes} min at {args.rate}/s on a shared machine")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=2.0, help="deliveries per second")
    parser.add_argument("--workers", type=int, default=2, help="okrsync worker processes")
    args = parser.parse_args()
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)

    world = World(issues=200)
    with SimTracker.start(issues=200) as sim:
        try:
            ids = world.arrange(sim.url, sim.keys()[:200])
            world.start_web()
            for _ in range(args.workers):
                world.start_worker()
            log(f"serving on {world.port}, logs in {world.folder}")
            sender, stop = Sender(world.port), threading.Event()
            sending = threading.Thread(target=send_all, args=(args, world, sender, ids, sim, stop))
            sending.start()
            run_faults(args, world, log)
            time.sleep(max(0.0, started + args.minutes * 60 - time.monotonic()))
            stop.set()
            sending.join()
            log("sending stopped; waiting for the healthy connection's deliveries")
            report(args, settle(world, sender, ids, 180), sender)
        finally:
            world.stop()


if __name__ == "__main__":
    main()
