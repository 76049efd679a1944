"""Benchmark the company dashboard: server time and SQL statements, small cycle vs a big one.

Usage: python bench/dashboard.py [--objectives 300] [--krs 1000] [--snapshots 8] [--runs 40]
       [--database-url URL]   (default: a SQLite file in a temporary folder)
Both cycles live in the same store and are timed in the same run; the statement count of one
page view must not grow with the cycle's size, so the run fails when the counts differ. The
workspace pages (alignment, objective, branch, mid-cycle review, close) and an owner's pages
while the cycle closes (close page, My OKRs) are measured the same way, and the large company
view, close pages and My OKRs are checked against the budget (p50 < 100 ms, < 400 KiB).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from config.settings import Settings  # noqa: E402
from okr_core.domain import CycleStatus, KRStatus, Level, Role, TeamKind, Visibility  # noqa: E402
from okr_core.models import (  # noqa: E402
    Analysis, Base, Cycle, KeyResult, Objective, ProgressSnapshot, Team, User,
)
from okr_core.store import make_engine, make_sessionmaker, session_scope  # noqa: E402

STATUSES = list(KRStatus)


def _cycle(session, name: str, teams: list[Team], users: list[User], objectives: int, krs: int,
           snapshots: int) -> int:
    """A cycle with `objectives` spread over teams (a third aligned under another) and `krs`."""
    today = date.today()
    cycle = Cycle(name=name, start_date=today - timedelta(days=45),
                  end_date=today + timedelta(days=45), status=CycleStatus.ACTIVE)
    session.add(cycle)
    session.flush()
    made: list[Objective] = []
    for n in range(objectives):
        team = teams[n % len(teams)]
        made.append(Objective(
            cycle_id=cycle.id, title=f"{name} objective {n}", level=Level.TEAM, team_id=team.id,
            owner_id=users[n % len(users)].id, progress=(n % 10) / 10,
            parent_id=made[n // 3].id if n % 3 and made else None,
            visibility=Visibility.TEAM if n % 7 == 0 else Visibility.PUBLIC))
        session.add(made[-1])
        if n % 50 == 0:
            session.flush()
    session.flush()
    now = datetime.now(timezone.utc)
    for n in range(krs):
        kr = KeyResult(objective_id=made[n % len(made)].id, title=f"{name} KR {n}",
                       owner_id=users[n % len(users)].id, start_value=0, target_value=100,
                       current_value=n % 100, progress=(n % 100) / 100, confidence=n % 11,
                       status=STATUSES[n % 3])
        session.add(kr)
        session.flush()
        session.add_all(ProgressSnapshot(key_result_id=kr.id, at=now - timedelta(days=7 * w),
                                         value=float(w), progress=w / snapshots)
                        for w in range(snapshots))
    return cycle.id


def build_store(database_url: str, args) -> tuple[int, int, int, int]:
    """(small cycle, large cycle, admin id, member id) in a fresh store."""
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    with session_scope(make_sessionmaker(engine)) as session:
        company = Team(name="Bench Co", kind=TeamKind.COMPANY)
        session.add(company)
        session.flush()
        teams = [Team(name=f"Team {n}", kind=TeamKind.TEAM, parent_id=company.id) for n in range(12)]
        session.add_all(teams)
        session.flush()
        users = [User(name=f"Person {n}", email=f"p{n}-{uuid.uuid4().hex[:6]}@bench.example",
                      role=Role.ADMIN if n == 0 else Role.MEMBER, team_id=teams[n % 12].id)
                 for n in range(40)]
        session.add_all(users)
        session.flush()
        small = _cycle(session, "Small", teams, users, 5, 12, args.snapshots)
        large = _cycle(session, "Large", teams, users, args.objectives, args.krs, args.snapshots)
        ids = (small, large, users[0].id, users[1].id)
    engine.dispose()
    return ids


def measure(client, engine, path: str, runs: int) -> dict:
    """Statements of one view, then p50/p99 of `runs` timed views (after one warm-up)."""
    statements = []
    listener = lambda *a, **k: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    response = client.get(path)
    event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return {"statements": len(statements), "p50_ms": statistics.median(times), "p99_ms": p99,
            "bytes": len(response.data)}


PAGE_BUDGET = {"p50_ms": 100.0, "bytes": 400 * 1024}
# The workspace pages, measured like the company view; {cycle} and {root} are filled in.
OTHER_PAGES = (("alignment", "/alignment?cycle={cycle}"), ("objective", "/objectives/{root}"),
               ("branch", "/objectives/{root}/branch"), ("review", "/cycles/{cycle}/review"),
               ("close", "/cycles/{cycle}/close"))


def first_objective(engine, cycle_id: int) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(Objective.id).where(Objective.cycle_id == cycle_id,
                                                      Objective.parent_id.is_(None))
                           .order_by(Objective.id))


def signed_in(app, user_id: int):
    client = app.test_client()
    with client.session_transaction() as session:
        session["user_id"] = user_id
        session["generation"] = 0  # a user who never signed out (sessions carry a generation)
    return client


def print_row(name: str, r: dict) -> None:
    print(f"  {name:26}: {r['statements']:2d} statements, p50 {r['p50_ms']:7.1f} ms, "
          f"p99 {r['p99_ms']:7.1f} ms, {r['bytes'] // 1024} KiB")


def measure_other_pages(app, engine, admin_id: int, cycles: dict, runs: int) -> dict:
    client = signed_in(app, admin_id)
    results = {}
    for name, pattern in OTHER_PAGES:
        for label, cycle_id in cycles.items():
            path = pattern.format(cycle=cycle_id, root=first_objective(engine, cycle_id))
            results[(name, label)] = measure(client, engine, path, runs)
    return results


# While a cycle closes, each KR owner enters final values on My OKRs and the close page.
OWNER_PAGES = (("owner close", "/cycles/{cycle}/close"), ("owner mine", "/mine?cycle={cycle}"))


def settle(client, engine, paths: list[str]) -> None:
    """View each page once and wait for the analyses that first views start (My OKRs computes
    its own), so the embedded worker's statements do not land in a page's count."""
    for path in paths:
        client.get(path)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if not conn.scalar(select(Analysis.id).where(Analysis.state == "queued").limit(1)):
                return
        time.sleep(0.5)


def measure_owner_pages(app, engine, member_id: int, cycles: dict, runs: int) -> dict:
    """My OKRs before closing starts, then the owner's pages with every cycle closing
    (close_started_at set, as an admin would)."""
    client = signed_in(app, member_id)
    settle(client, engine, [f"/mine?cycle={cycle_id}" for cycle_id in cycles.values()])
    results = {("mine before closing", label): measure(client, engine, f"/mine?cycle={cycle_id}",
                                                       runs)
               for label, cycle_id in cycles.items()}
    with engine.begin() as conn:
        conn.execute(Cycle.__table__.update().where(Cycle.id.in_(list(cycles.values())))
                     .values(close_started_at=datetime.now(timezone.utc)))
    for name, pattern in OWNER_PAGES:
        for label, cycle_id in cycles.items():
            results[(name, label)] = measure(client, engine, pattern.format(cycle=cycle_id), runs)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, default=300)
    parser.add_argument("--krs", type=int, default=1000)
    parser.add_argument("--snapshots", type=int, default=8)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="okrsync-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    small, large, admin_id, member_id = build_store(url, args)
    from okrsync.app import create_app

    app = create_app({"TESTING": True}, settings=Settings(
        instance_path=folder / "instance", database_url=url, secret_key=uuid.uuid4().hex,
        encryption_keys=(Fernet.generate_key().decode(),), embedded_workers=1))
    engine = app.extensions["okrsync.engine"]
    results = {}
    for who, user_id in (("admin", admin_id), ("member", member_id)):
        client = signed_in(app, user_id)
        for label, cycle_id in (("small", small), ("large", large)):
            results[(who, label)] = measure(client, engine, f"/?cycle={cycle_id}", args.runs)
    pages = measure_other_pages(app, engine, admin_id, {"small": small, "large": large},
                                args.runs)
    owner_pages = measure_owner_pages(app, engine, member_id, {"small": small, "large": large},
                                      args.runs)
    print(f"company view, {args.objectives} objectives / {args.krs} KRs / "
          f"{args.snapshots} snapshots each vs 5 / 12, {args.runs} runs, {url.split(':')[0]}")
    for (who, label), r in results.items():
        print_row(f"{who} {label}", r)
    print("other pages (admin):")
    for (name, label), r in pages.items():
        print_row(f"{name} {label}", r)
    print("while closing (member who owns key results):")
    for (name, label), r in owner_pages.items():
        print_row(f"{name} {label}", r)
    app.extensions["okrsync.queue"].shutdown()
    same = all(results[(w, "small")]["statements"] == results[(w, "large")]["statements"]
               for w in ("admin", "member")) and all(
        pages[(n, "small")]["statements"] == pages[(n, "large")]["statements"]
        for n, _ in OTHER_PAGES) and all(
        owner_pages[(n, "small")]["statements"] == owner_pages[(n, "large")]["statements"]
        for n in {name for name, _label in owner_pages})
    print("statement count independent of size:", "yes" if same else "NO")
    for name, r in (("company view", results[("admin", "large")]),
                    ("close page", pages[("close", "large")]),
                    ("owner close page", owner_pages[("owner close", "large")]),
                    ("My OKRs", owner_pages[("mine before closing", "large")]),
                    ("My OKRs while closing", owner_pages[("owner mine", "large")])):
        within = all(r[k] < limit for k, limit in PAGE_BUDGET.items())
        print(f"large {name} within 100 ms p50 and 400 KiB:", "yes" if within else "NO")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
