"""Benchmark GET /api/v1/cycles/<id>/tree: latency and SQL statements, a big cycle vs a small one.

Usage: python bench/api.py [--pg] [--runs 50] [--objectives 300] [--krs 1000]
Both cycles live in one store and are measured in the same run, through the Flask test client,
as a department lead (so the visibility filter is on the path). The statement count of one
request must not grow with the cycle's size (no N+1): the run fails when the counts differ.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402

from config.settings import Settings  # noqa: E402
from okr_core.accounts import hash_token, new_token  # noqa: E402
from okr_core.domain import CycleStatus, Level, Role, TeamKind, Visibility  # noqa: E402
from okr_core.models import ApiToken, Base, Cycle, KeyResult, Objective, Team, User  # noqa: E402
from okr_core.store import make_engine, make_sessionmaker, session_scope  # noqa: E402

PG_URL = os.environ.get("OKRSYNC_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SMALL = (10, 30)


def build_org(session) -> tuple[list[int], str]:
    """A company, two departments, six teams; a department lead's bearer token."""
    company = Team(name="Acme", kind=TeamKind.COMPANY)
    session.add(company)
    session.flush()
    departments = [Team(name=f"Dept {d}", kind=TeamKind.DEPARTMENT, parent_id=company.id)
                   for d in range(2)]
    session.add_all(departments)
    session.flush()
    teams = [Team(name=f"Team {t}", kind=TeamKind.TEAM, parent_id=departments[t % 2].id)
             for t in range(6)]
    session.add_all(teams)
    session.flush()
    lead = User(name="Lead", email=f"lead-{uuid.uuid4().hex[:6]}@acme.io", role=Role.LEAD,
                team_id=departments[0].id)
    session.add(lead)
    session.flush()
    token = new_token()
    session.add(ApiToken(user_id=lead.id, token_hash=hash_token(token), prefix=token[:10]))
    return [company.id] + [d.id for d in departments] + [t.id for t in teams], token


def build_cycle(session, name: str, team_ids: list[int], objectives: int, krs: int) -> int:
    """A cycle whose objectives form a 3-ary alignment tree, KRs spread over them."""
    start = date.today() - timedelta(days=45)
    cycle = Cycle(name=name, start_date=start, end_date=start + timedelta(days=90),
                  status=CycleStatus.ACTIVE)
    session.add(cycle)
    session.flush()
    made: list[Objective] = []
    for n in range(objectives):
        made.append(Objective(
            cycle_id=cycle.id, title=f"{name} objective {n}", team_id=team_ids[n % len(team_ids)],
            level=Level.COMPANY if n == 0 else Level.TEAM, progress=(n % 10) / 10,
            parent_id=made[(n - 1) // 3].id if n else None,
            visibility=Visibility.TEAM if n % 5 == 0 else Visibility.PUBLIC))
        session.add(made[-1])
        session.flush()
    session.add_all(KeyResult(objective_id=made[n % objectives].id, title=f"{name} KR {n}",
                              start_value=0, target_value=100, current_value=n % 100,
                              progress=(n % 100) / 100, confidence=n % 11)
                    for n in range(krs))
    return cycle.id


class StatementCounter:
    """Counts SQL statements the app's engine sends."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


def measure(client, counter, cycle_id: int, headers: dict, runs: int) -> dict:
    """Latencies (ms) and statements per request of the cycle's tree, after a short warm-up."""
    url = f"/api/v1/cycles/{cycle_id}/tree"
    for _ in range(3):
        assert client.get(url, headers=headers).status_code == 200
    timings, cpu, statements = [], [], set()
    for _ in range(runs):
        before = counter.count
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        statements.add(counter.count - before)
        assert response.status_code == 200, response.get_json()
    body = response.get_json()
    timings.sort()
    return {"p50": statistics.median(timings), "cpu": statistics.median(cpu), "p99": timings[min(len(timings) - 1,
                                                                 int(len(timings) * 0.99))],
            "statements": statements, "objectives": _count(body["objectives"]),
            "krs": _count_krs(body["objectives"]), "bytes": len(response.data)}


def _count(nodes: list[dict]) -> int:
    return sum(1 + _count(n["children"]) for n in nodes)


def _count_krs(nodes: list[dict]) -> int:
    return sum(len(n["key_results"]) + _count_krs(n["children"]) for n in nodes)


def run_backend(url: str, args) -> tuple[dict, dict]:
    """Build both cycles in a fresh store at `url`, then measure the big one and the small one."""
    from okrsync.app import create_app

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with session_scope(make_sessionmaker(engine)) as session:
        team_ids, token = build_org(session)
        big = build_cycle(session, "Big", team_ids, args.objectives, args.krs)
        small = build_cycle(session, "Small", team_ids, *SMALL)
    engine.dispose()
    settings = Settings(instance_path=Path(tempfile.mkdtemp()) / "instance", database_url=url,
                        secret_key=uuid.uuid4().hex, encryption_keys=(Fernet.generate_key().decode(),))
    app = create_app({"TESTING": True}, settings=settings)
    counter = StatementCounter(app.extensions["okrsync.engine"])
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    try:
        return (measure(client, counter, big, headers, args.runs),
                measure(client, counter, small, headers, args.runs))
    finally:
        app.extensions["okrsync.queue"].shutdown()
        app.extensions["okrsync.engine"].dispose()


def pg_schema() -> tuple[str, Callable[[], None]]:
    """A fresh PostgreSQL schema's URL and a function that drops it."""
    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return f"{PG_URL}?options=-csearch_path%3D{schema}", drop


def report(rows: list[tuple[str, dict, dict]]) -> bool:
    """Print the table; True when no backend's statement count grows with the cycle."""
    print(f"{'backend':<10} {'cycle':<6} {'objs':>5} {'KRs':>5} {'KiB':>6} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'cpu p50':>8} {'SQL/req':>8}")
    flat = True
    for label, big, small in rows:
        for name, m in (("big", big), ("small", small)):
            print(f"{label:<10} {name:<6} {m['objectives']:>5} {m['krs']:>5} "
                  f"{m['bytes'] / 1024:>6.0f} {m['p50']:>8.1f} {m['p99']:>8.1f} {m['cpu']:>8.1f} "
                  f"{'/'.join(map(str, sorted(m['statements']))):>8}")
        ratio = max(big["statements"]) / max(small["statements"])
        print(f"{label:<10} ratio  statements big/small = {ratio:.2f}, "
              f"p50 big/small = {big['p50'] / small['p50']:.1f}x, "
              f"cpu big/small = {big['cpu'] / small['cpu']:.1f}x "
              f"({big['objectives'] / small['objectives']:.0f}x the objectives)")
        flat = flat and big["statements"] == small["statements"] and len(big["statements"]) == 1
    return flat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", action="store_true", help="also measure on PostgreSQL")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--objectives", type=int, default=300)
    parser.add_argument("--krs", type=int, default=1000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("sqlite", *run_backend(f"sqlite:///{tmp}/bench.db", args)))
    if args.pg:
        url, drop = pg_schema()
        try:
            rows.append(("postgresql", *run_backend(url, args)))
        finally:
            drop()
    print(f"built: big cycle {args.objectives} objectives / {args.krs} KRs, small cycle "
          f"{SMALL[0]} / {SMALL[1]}; measured as a department lead ({args.runs} requests each, "
          "objs/KRs = what the lead may see)")
    flat = report(rows)
    print("statement count is flat (no N+1)" if flat else "FAIL: statement count grows with size")
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
