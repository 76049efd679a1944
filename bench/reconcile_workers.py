"""Two `okrsync worker` processes reconcile two connections at once (bench/reconcile.py --workers).

Two connections (two sites, both served by one simulator answering in the largest --latency-ms)
with one KR per 100 issues each. Their first passes are queued as RQ jobs on Redis (OKRSYNC_BENCH_REDIS_URL, default
db 13, flushed), then run by `okrsync worker --burst` processes on PostgreSQL: one worker (the
baseline: the passes one after the other), then two, on fresh schemas. Each pass holds its own
connection's lock only, so two workers (on one machine here, on several in production) run both
at once. It checks that each connection stored every issue once and that its KRs count exactly
what the one-worker run counted.

With --split (`run_split`): one connection whose issues lie in two projects (Linear: two teams),
its first pass read whole by one worker, then split by project or team (sync.reconcile.split)
across --workers workers, which stay up until the split pass finished (its parts are queued by
its first job). It checks that each issue was stored once and that the KRs count what the
one-worker pass counted.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select

REDIS_URL = os.environ.get("OKRSYNC_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
CONNECTIONS = 2


def worker_env(app, sim, folder: Path) -> dict:
    """What an `okrsync worker` process needs to share the bench app's store, keys and Redis."""
    settings = app.config["SETTINGS"]
    return {**os.environ, "OKRSYNC_DATABASE_URL": settings.database_url, "OKRSYNC_REDIS_URL": REDIS_URL,
            "OKRSYNC_SECRET_KEY": uuid.uuid4().hex, "OKRSYNC_ENCRYPTION_KEY": settings.encryption_keys[0],
            "OKRSYNC_OUTBOUND_ALLOWLIST": sim.url().split("//", 1)[1],
            "OKRSYNC_INSTANCE_PATH": str(folder), "OKRSYNC_DOTENV": str(folder / "none.env")}


def run_with_workers(args, tmp: Path, sim, workers: int, connections: int = CONNECTIONS,
                     split: bool = False) -> tuple[float, float, dict, dict]:
    """Queue the first passes of fresh connections, run them with `workers` processes.

    (seconds until the workers exited, seconds from the first pass's start to the last's end,
    the stored figures, the last connection's pass counts)."""
    from redis import Redis
    from rq import Queue

    from bench.reconcile import arrange, make_app
    from sync.jobs import reconcile_job

    folder = tmp / f"workers-{workers}{'-split' if split else ''}"
    app = make_app(folder, sim, pg=True)
    krs = max(1, args.issues // 100)
    connections = [arrange(app, sim, args.tracker, krs, split=split) for _ in range(connections)]
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    queue = Queue("default", connection=redis)
    for connection in connections:
        queue.enqueue(reconcile_job, connection, job_timeout=3600)
    # A burst worker leaves once the queue is empty; a split pass queues its parts only after its
    # first job ran, so its workers keep running until the pass has finished, then are stopped.
    command = [sys.executable, "-c", "from okrsync.cli import main; main()", "worker",
               *([] if split else ["--burst"])]
    started = time.perf_counter()
    processes = [subprocess.Popen(command, env=worker_env(app, sim, folder), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(workers)]
    if split:
        while not all(pass_finished(app, connection) for connection in connections):
            if any(process.poll() is not None for process in processes):
                raise RuntimeError("an okrsync worker stopped during the split pass")
            time.sleep(0.2)
        for process in processes:
            process.terminate()
    if any(process.wait() not in (0, -signal.SIGTERM) for process in processes):
        raise RuntimeError("an okrsync worker failed")
    seconds = time.perf_counter() - started
    figures = stored_figures(app, connections)
    counts = last_counts(app, connections[-1])
    span = passes_span(app, connections)
    app.extensions["okrsync.queue"].shutdown()
    redis.flushdb()
    return seconds, span, figures, counts


def stored_figures(app, connections: list[int]) -> dict:
    """Per connection (in order): items stored, distinct external ids, and its KRs' counted items."""
    from okr_core.models import KeyResult, WorkItem, WorkLink
    from okr_core.store import session_scope

    figures = {}
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        for n, connection in enumerate(connections):
            items = session.execute(select(func.count(), func.count(WorkItem.external_id.distinct()))
                                    .where(WorkItem.connection_id == connection)).one()
            kr_ids = select(WorkLink.key_result_id).where(WorkLink.connection_id == connection)
            counted = session.execute(select(KeyResult.id, KeyResult.items_total, KeyResult.items_done)
                                      .where(KeyResult.id.in_(kr_ids)).order_by(KeyResult.id)).all()
            figures[n] = (tuple(items), [(total, done) for _, total, done in counted])
    return figures


def pass_finished(app, connection: int) -> bool:
    """Whether the connection's first pass (split or not) has recorded its outcome."""
    from okr_core.models import SyncState
    from okr_core.store import session_scope
    from sync.reconcile.split import SPLIT

    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        state = session.get(SyncState, connection)
        return state is not None and state.last_kind is not None and SPLIT not in (state.last_counts or {})


def last_counts(app, connection: int) -> dict:
    """What the connection's last pass recorded (SyncState.last_counts)."""
    from okr_core.models import SyncState
    from okr_core.store import session_scope

    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        return dict(session.get(SyncState, connection).last_counts or {})


def passes_span(app, connections: list[int]) -> float:
    """Seconds from the first pass's start to the last one's end, as the store recorded them."""
    from okr_core.models import SyncState
    from okr_core.store import session_scope

    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        states = [session.get(SyncState, connection) for connection in connections]
        return (max(s.last_finished_at for s in states) - min(s.last_started_at for s in states)).total_seconds()


def run_workers(args, tmp: Path) -> None:
    """One worker, then two, over two connections' first passes; times and the counts compared."""
    from bench.reconcile import PAGE
    from bench.sim_process import simulator_process

    with simulator_process(issues=args.issues, page_size=PAGE, linear_page_size=PAGE) as sim:
        sim.set_latency(max(args.latency_ms))
        one, one_span, alone, _ = run_with_workers(args, tmp, sim, 1)
        two, two_span, together, _ = run_with_workers(args, tmp, sim, 2)
    print(f"workers: first passes of {CONNECTIONS} connections x {args.issues} issues, "
          f"{max(args.latency_ms):g} ms answer time, PostgreSQL")
    print(f"  passes, first start to last end: one worker {one_span:.2f} s; two workers {two_span:.2f} s "
          f"= {one_span / two_span:.2f}x as fast (at most {CONNECTIONS}x)")
    print(f"  worker processes, start to exit (with imports and follow-up jobs): one {one:.2f} s; "
          f"two {two:.2f} s")
    stored_once = all(total == distinct == args.issues for (total, distinct), _ in together.values())
    print(f"  each connection stored each issue once: {stored_once}; key results count the same "
          f"as with one worker: {together == alone}")


def run_split(args, tmp: Path) -> None:
    """One connection over two projects: one worker reading it whole, then `--workers` workers
    reading its projects as the parts of a split pass; the times, and the stored counts compared."""
    from bench.reconcile import PAGE
    from bench.sim_process import simulator_process

    latency = max(args.latency_ms)
    with simulator_process(issues=args.issues, page_size=PAGE, linear_page_size=PAGE, projects=2) as sim:
        sim.set_latency(latency)
        one, one_span, alone, _ = run_with_workers(args, tmp, sim, 1, connections=1)
        many, many_span, split, counts = run_with_workers(args, tmp, sim, args.workers, connections=1,
                                                          split=True)
    (total, distinct), _ = split[0]
    print(f"split: a first pass of one {args.tracker} connection, {args.issues} issues in 2 projects, "
          f"{latency:g} ms answer time, PostgreSQL")
    by = "team" if args.tracker == "linear" else "project"
    print(f"  one worker, one pass {one_span:.2f} s; {args.workers} workers, split by {by} "
          f"{many_span:.2f} s = {one_span / many_span:.2f}x as fast (at most 2x with two {by}s)")
    print(f"  worker processes, start to exit: one {one:.2f} s; {args.workers}: {many:.2f} s; split pass: "
          f"longest part and the finish's reading {counts['seconds_items']:.2f} s, "
          f"{counts['recounted_while_reading']} KR recounts while awaiting pages, "
          f"recount at the end {counts['seconds_recount']:.2f} s")
    print(f"  items stored {total}, distinct {distinct}, issues {args.issues}: each stored once: "
          f"{total == distinct == args.issues}; key results count as the one-worker pass counts: "
          f"{split[0][1] == alone[0][1]}")
