"""Webhook intake as `okrsync serve` runs it: ack throughput and latency against a bare Flask
endpoint, and issue-done -> KR progress committed, end to end, with one worker.

Two bare baselines, served at once with okrsync: the bare endpoint on `okrsync serve`'s settings
(gunicorn with its uvicorn workers; Flask through a2wsgi, as okrsync's pages are) and on gunicorn's
threaded worker (gthread, 8 threads, as okrsync was served before issue 14 and Flask apps usually
are). Ratios are given against each; the target is judged against the faster one, so it is not met
by serving the baseline slowly.

Usage: python bench/webhooks.py [--requests 4000] [--concurrency 16] [--rate 200] [--seconds 15]
                                [--samples 40] [--workers N] [--wrk-seconds 10] [--wrk-rounds 3]
When wrk is installed (Debian package `wrk`), each app is also measured by wrk from outside, in
turn, --wrk-rounds times; the round with the median ratio is reported (--wrk-seconds 0 leaves wrk
out). For wrk and the closed loop it reports the CPU per request of
gunicorn and of okrsync's PostgreSQL backends (the server on this machine, told apart by their
application_name): once the machine is busy, their sum bounds the rate.
PostgreSQL from OKRSYNC_BENCH_PG_URL (a schema of its own, dropped after), Redis from
OKRSYNC_BENCH_REDIS_URL (default db 14, flushed before and after).

Intake is measured with no `okrsync worker` running, as the bare endpoint has none: what is
compared is what answering a tracker costs. The worker's share is measured apart: the end-to-end
phase runs one, and after the load the ids the intake handed off are turned into their RQ jobs as
the worker's dispatcher does (its rate is reported), each checked against a stored delivery.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cryptography.fernet import Fernet  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench.webhook_load import (  # noqa: E402
    SECRET, CpuMeter, measure, measure_wrk, signed, start_gunicorn,
)
from okrsync.serve import scaled_out_workers  # noqa: E402
from plumbing.db import REQUEST_THREADS  # noqa: E402

PG_URL = os.environ.get("OKRSYNC_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("OKRSYNC_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
FIXTURE = REPO / "tests/fixtures/jira/webhooks/jira_issue_updated__resolved.json"


GTHREAD = {"worker_class": "gthread", "threads": REQUEST_THREADS}   # the second baseline's worker


def bare_asgi():
    """The baseline on `okrsync serve`'s settings: served as okrsync's Flask app is there."""
    from a2wsgi import WSGIMiddleware

    return WSGIMiddleware(bare_app(), workers=REQUEST_THREADS)


def bare_app() -> Flask:
    """The baseline: a Flask endpoint at the same path that reads the body and answers 200."""
    app = Flask("bare")

    @app.post("/webhooks/<tracker>/<int:connection_id>")
    def receive(tracker, connection_id):
        from flask import request

        request.get_data()
        return {"status": "accepted"}

    return app



def prepare_store(env: dict) -> tuple[str, int]:
    """A fresh PostgreSQL schema with the tables and one signed Jira connection."""
    schema = "bench_" + uuid.uuid4().hex[:10]
    with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    # Named after the schema, so its backends can be told from others' (store_backends).
    url = f"{PG_URL}?options=-csearch_path%3D{schema}&application_name={schema}"
    from config.secrets import SecretBox
    from okr_core.models import Base, Connection
    from okr_core.store import make_engine, make_sessionmaker, session_scope

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    box = SecretBox((env["OKRSYNC_ENCRYPTION_KEY"],))
    with session_scope(make_sessionmaker(engine)) as session:
        row = Connection(tracker="jira", name="bench", base_url="http://127.0.0.1:9",
                         credentials_encrypted=box.encrypt_json({"email": "b@x.test",
                                                                 "api_token": "t"}),
                         webhook_secret_encrypted=box.encrypt(SECRET), settings={})
        session.add(row)
        session.flush()
        connection_id = row.id
    engine.dispose()
    return url, connection_id


def arrange_key_results(url: str, connection_id: int, count: int) -> list[int]:
    """One KR per sample, each linked to one issue (BENCH-i), in an active cycle."""
    from datetime import date, timedelta

    from okr_core.models import Cycle, KeyResult, Objective, WorkLink
    from okr_core.store import make_engine, make_sessionmaker, session_scope

    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine)) as session:
        cycle = Cycle(name="bench", start_date=date.today() - timedelta(days=30),
                      end_date=date.today() + timedelta(days=60), status="active")
        session.add(cycle)
        session.flush()
        objective = Objective(cycle_id=cycle.id, title="bench")
        session.add(objective)
        session.flush()
        krs = [KeyResult(objective_id=objective.id, title=f"kr {i}", start_value=0.0,
                         target_value=100.0, measure="work_done_ratio") for i in range(count)]
        session.add_all(krs)
        session.flush()
        session.add_all(WorkLink(key_result_id=kr.id, connection_id=connection_id, kind="issue",
                                 ref=f"BENCH-{i}") for i, kr in enumerate(krs))
        ids = [kr.id for kr in krs]
    engine.dispose()
    return ids


def end_to_end(port: int, url: str, connection_id: int, env: dict, samples: int) -> dict:
    """Post an issue-done delivery, poll until its KR's new progress is committed; per sample."""
    kr_ids = arrange_key_results(url, connection_id, samples)
    worker = subprocess.Popen([sys.executable, "-m", "okrsync.cli", "worker"], cwd=REPO, env=env)
    engine = create_engine(url)
    template = json.loads(FIXTURE.read_bytes())
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    seconds = []
    time.sleep(3)  # let the worker register before the clock starts
    try:
        with engine.connect() as db:
            for index, kr_id in enumerate(kr_ids):
                template["issue"].update(id=str(50000 + index), key=f"BENCH-{index}")
                body = json.dumps(template).encode()
                # A fresh connection, opened before the clock starts: gunicorn closes one left
                # idle past its keep-alive (2 s) while the previous sample was being polled.
                client.close()
                client.connect()
                started = time.perf_counter()
                client.request("POST", f"/webhooks/jira/{connection_id}", body=body,
                               headers=signed(body, f"e2e-{index}-{uuid.uuid4().hex}"))
                response = client.getresponse()
                response.read()
                if response.status != 200:
                    raise SystemExit(f"delivery refused with {response.status}")
                while db.execute(text("SELECT progress FROM key_results WHERE id = :id"),
                                 {"id": kr_id}).scalar() != 1.0:
                    db.rollback()
                    if time.perf_counter() - started > 30:
                        raise SystemExit(f"KR {kr_id} never moved")
                    time.sleep(0.002)
                db.rollback()
                seconds.append(time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(30)
        engine.dispose()
    cuts = statistics.quantiles(seconds, n=20)
    return {"samples": len(seconds), "p50_ms": statistics.median(seconds) * 1000,
            "p95_ms": cuts[18] * 1000, "max_ms": max(seconds) * 1000}


def dispatch_and_check(env: dict, url: str, acknowledged: int) -> dict:
    """Make the handed-off ids RQ jobs as `okrsync worker` does; check them against the store."""
    from rq import Queue

    from config.settings import load_settings
    from okrsync.app import create_app
    from plumbing.handoff import HANDOFF_KEY, dispatch_all

    app = create_app(settings=load_settings(env, dotenv=False))
    connection = app.extensions["okrsync.queue"].connection
    handed_off = connection.llen(HANDOFF_KEY)
    started = time.perf_counter()
    dispatched = dispatch_all(app)
    seconds = time.perf_counter() - started
    with create_engine(url).connect() as db:
        stored = set(db.execute(text("SELECT id FROM deliveries WHERE dedupe_key LIKE 'bench-%'"
                                     " AND state = 'pending'")).scalars())
    jobs = set(Queue("default", connection=connection).job_ids)
    app.extensions["okrsync.engine"].dispose()
    return {"acknowledged": acknowledged, "stored": len(stored), "handed_off": handed_off,
            "jobs": len(jobs), "dispatch_per_second": dispatched / seconds if seconds else 0.0,
            "every_stored_has_its_job": jobs == {f"delivery-{i}" for i in stored}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, kind, default in (("--requests", int, 4000), ("--concurrency", int, 16),
                                ("--rate", float, 200.0), ("--seconds", float, 15.0),
                                ("--samples", int, 40), ("--workers", int, scaled_out_workers()),
                                ("--wrk-seconds", float, 10.0), ("--wrk-rounds", int, 3)):
        parser.add_argument(flag, type=kind, default=default)
    args = parser.parse_args()
    import redis

    queue_db = redis.Redis.from_url(REDIS_URL)
    queue_db.flushdb()
    instance = tempfile.mkdtemp(prefix="okrsync-bench-")
    env = {**os.environ, "OKRSYNC_REDIS_URL": REDIS_URL, "OKRSYNC_SECRET_KEY": uuid.uuid4().hex,
           "OKRSYNC_ENCRYPTION_KEY": Fernet.generate_key().decode(),
           "OKRSYNC_INSTANCE_PATH": instance,
           "OKRSYNC_DOTENV": os.path.join(instance, "none.env"), "OKRSYNC_LOG_FORMAT": "json"}
    url, connection_id = prepare_store(env)
    env["OKRSYNC_DATABASE_URL"] = url
    try:
        run_all(args, env, url, connection_id, queue_db)
    finally:
        cleanup(url, queue_db)


BARES = ("bare", "bare_gthread")


def run_all(args, env: dict, url: str, connection_id: int, queue_db) -> None:
    """End to end first (one worker); then wrk on okrsync and on each bare endpoint in turn, all
    served at once (an idle one costs nothing), so a change in the machine's load between them
    shows in one round and not in the median; then the Python clients on each."""
    path, body = f"/webhooks/jira/{connection_id}", FIXTURE.read_bytes()
    logs = Path(env["OKRSYNC_INSTANCE_PATH"])
    service, service_port = start_gunicorn("okrsync.serve:served_asgi()", args.workers, env,
                                           logs / "okrsync.log")
    servers = {"okrsync": (service, service_port, store_backends(url))}
    try:
        e2e = {}
        if args.samples:
            e2e = end_to_end(service_port, url, connection_id, env, args.samples)
        for name, target, overrides in (("bare", "bench.webhooks:bare_asgi()", None),
                                        ("bare_gthread", "bench.webhooks:bare_app()", GTHREAD)):
            process, port = start_gunicorn(target, args.workers, env, logs / f"{name}.log",
                                           overrides)
            servers[name] = (process, port, None)
        rounds = wrk_rounds(args, path, body, servers)
        time.sleep(0.5)   # the last ids handed off, the check below counts its own loads' only
        forget_wrk_deliveries(url)
        queue_db.flushdb()
        results = {}
        for name, (process, port, store_pids) in servers.items():
            results[name] = measure(port, path, body, args, CpuMeter(process.pid, store_pids))
            stop(process)
    finally:
        for process, _, _ in servers.values():
            stop(process)
    median = median_round(rounds)
    for name in results:
        results[name]["wrk"] = median[name] if median else None
    results["okrsync"]["wrk_rounds"] = rounds
    acknowledged = sum(run["statuses"].get(200, 0) for name, run in results["okrsync"].items()
                       if name not in ("wrk", "wrk_rounds"))
    report(args, results, e2e, dispatch_and_check(env, url, acknowledged))


def wrk_rounds(args, path: str, body: bytes, servers: dict) -> list[dict]:
    """wrk on okrsync, then on each bare endpoint, `--wrk-rounds` times: each round's figures
    and okrsync's ratio to the faster bare endpoint."""
    rounds = []
    for _ in range(args.wrk_rounds if shutil.which("wrk") and args.wrk_seconds > 0 else 0):
        figures = {}
        for name, (process, port, store_pids) in servers.items():
            figures[name] = measure_wrk(port, path, body, args.wrk_seconds, args.concurrency,
                                        CpuMeter(process.pid, store_pids))
        figures["ratio"] = figures["okrsync"]["throughput"] / max(
            figures[name]["throughput"] for name in BARES)
        rounds.append(figures)
    return rounds


def median_round(rounds: list[dict]) -> dict | None:
    """The round with the median ratio (the lower middle one for an even count)."""
    if not rounds:
        return None
    return sorted(rounds, key=lambda figures: figures["ratio"])[(len(rounds) - 1) // 2]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(30)


def report(args, results: dict, e2e: dict, handoff: dict):
    service = results["okrsync"]
    print(json.dumps({"config": vars(args), "load_average": os.getloadavg(), **results,
                      "end_to_end": e2e, "handoff": handoff}, indent=2))
    for phase, label in (("closed", "intake throughput (no worker running, as for bare)"),
                         ("wrk", "wrk from outside")):
        if not service[phase]:
            continue
        mine = service[phase]["throughput"]
        bares = {name: results[name][phase]["throughput"] for name in BARES}
        if phase == "wrk":
            ratios = ", ".join(f"{figures['ratio']:.2f}" for figures in service["wrk_rounds"])
            label += f", the median of {len(service['wrk_rounds'])} rounds (ratios {ratios})"
        print(f"{label}: okrsync {mine:.0f}/s, bare on okrsync's settings {bares['bare']:.0f}/s "
              f"(ratio {mine / bares['bare']:.2f}), bare on gthread {bares['bare_gthread']:.0f}/s "
              f"(ratio {mine / bares['bare_gthread']:.2f}); against the faster: "
              f"{mine / max(bares.values()):.2f} (target >= 0.5)")
    for phase in ("closed", "wrk"):
        if service[phase]:
            print(f"{phase}: CPU per request okrsync {service[phase]['server_cpu_ms']:.2f} ms "
                  f"(gunicorn) + {service[phase]['store_cpu_ms']:.2f} ms (its PostgreSQL "
                  f"backends), bare {results['bare'][phase]['server_cpu_ms']:.2f} ms, bare on "
                  f"gthread {results['bare_gthread'][phase]['server_cpu_ms']:.2f} ms; machine "
                  f"busy {service[phase]['machine_busy']:.0%} of {os.cpu_count()} CPUs")
    print(f"at {args.rate:.0f}/s: p99 okrsync {service['paced']['p99_ms']:.1f} ms, bare "
          f"{results['bare']['paced']['p99_ms']:.1f} ms, bare on gthread "
          f"{results['bare_gthread']['paced']['p99_ms']:.1f} ms (target < 50 ms)")
    counts = [handoff[key] for key in ("acknowledged", "stored", "handed_off", "jobs")]
    whole = len(set(counts)) == 1 and handoff["every_stored_has_its_job"]
    print("acknowledged {}, stored {}, handed off {}, RQ jobs {}: ".format(*counts)
          + ("none lost" if whole else "LOST OR EXTRA")
          + f"; dispatched to RQ at {handoff['dispatch_per_second']:.0f}/s")
    if e2e:
        print(f"issue done -> KR progress committed: p50 {e2e['p50_ms']:.0f} ms, "
              f"p95 {e2e['p95_ms']:.0f} ms ({e2e['samples']} samples, one worker)")


def forget_wrk_deliveries(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as db:
        db.execute(text("DELETE FROM deliveries WHERE dedupe_key LIKE 'wrk-%'"))
    engine.dispose()


def store_backends(url: str):
    """A callable giving the process ids of the PostgreSQL backends the app at `url` opened."""
    name = url.rsplit("application_name=", 1)[1]

    def pids() -> list[int]:
        with create_engine(PG_URL).connect() as db:
            return list(db.execute(text("SELECT pid FROM pg_stat_activity"
                                        " WHERE application_name = :name"), {"name": name}).scalars())
    return pids


def cleanup(url: str, queue_db) -> None:
    schema = url.rsplit("application_name=", 1)[1]
    with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    queue_db.flushdb()


if __name__ == "__main__":
    main()
