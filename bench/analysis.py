"""Benchmark the deterministic cycle analysis: 1,000 key results and 20,000 comments.

Usage: python bench/analysis.py [--key-results 1000] [--comments 20000] [--repeat 3] [--store]
       [--stored-mining] [--pg]
Prints the time of a full analysis (target under 2 s) and the narrative prompt's size in tokens;
--stored-mining times an analysis job's work from a store (SQLite; --pg: PostgreSQL too) cold, warm,
and warm in a fresh process (target under 1 s).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from okr_core.analysis import analyse  # noqa: E402
from okr_core.analysis.blocker_report import detect_once  # noqa: E402
from okr_core.analysis.digest import TOKEN_BUDGET  # noqa: E402
from okr_core.analysis.facts import (  # noqa: E402
    CheckInFact, CommentFact, CycleFacts, CycleInfo, ItemFact, KeyResultFact, ObjectiveFact,
    RelationFact, SnapshotFact,
)
from okr_core.analysis.prompt import build_prompt  # noqa: E402
from okr_core.gc_pause import gc_paused  # noqa: E402

START, END = date(2026, 1, 1), date(2026, 3, 31)
NOW = datetime(2026, 2, 26, 9, tzinfo=timezone.utc)   # week 8 of 13
WEEKS = 8
SUBJECTS = ["design specs", "the API contract", "legal review", "the data team", "vendor SDK",
            "security sign-off", "staging access", "the billing migration", "QA capacity",
            "the mobile release", "infra budget", "the auth service", "customer feedback"]
OPENERS = ["Waiting on", "Blocked by", "Still waiting for", "Can't start until we get",
           "Need", "Depends on", "Held up by"]
CHATTER = ["Merged, thanks for the review", "Looks good to me", "Deployed to staging",
           "Moved to next sprint", "Pairing on this tomorrow", "Added tests for the edge case",
           "No longer blocked, the fix landed", "Updated the estimate after grooming"]


def _comment_text(rng: random.Random, n: int) -> str:
    """A varied comment: a third report a blocker, the rest are ordinary chatter."""
    if rng.random() < 0.33:
        return f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)} before we can finish PROJ-{n}."
    return f"{rng.choice(CHATTER)} (PROJ-{n}, build {rng.randint(100, 999)})."


def _key_results(rng, objectives) -> tuple[list, list, list]:
    krs, snapshots, check_ins = [], [], []
    for kr_id in range(1, 5 * len(objectives) + 1):
        pace = rng.choice([0.04, 0.06, 0.08, 0.1, 0.12])
        levels = [min(1.2, pace * week + rng.uniform(-0.02, 0.02)) for week in range(WEEKS)]
        status = rng.choice(["on_track", "on_track", "at_risk", "off_track"])
        krs.append(KeyResultFact(kr_id, 1 + (kr_id - 1) // 5, f"Raise metric {kr_id} from 10 to 50",
                                 1 + kr_id % 60, levels[-1], status, rng.randint(2, 9),
                                 1.0, 50.0, NOW - timedelta(days=rng.randint(0, 30)),
                                 NOW - timedelta(days=60)))
        for week, level in enumerate(levels):
            at = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=7 * week)
            snapshots.append(SnapshotFact(kr_id, at, level))
            check_ins.append(CheckInFact(
                len(check_ins) + 1, kr_id, at + timedelta(hours=3), status, rng.randint(2, 9),
                note=f"Week {week}: {rng.choice(CHATTER)}",
                blockers=f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)}" if rng.random() < 0.4 else ""))
    return krs, snapshots, check_ins


def make_cycle(key_results: int, comments: int, seed: int = 7) -> CycleFacts:
    """A large, realistic cycle as plain facts."""
    rng = random.Random(seed)
    # Ten company objectives; the rest align to one of them, except every ninth (an orphan).
    objectives = [ObjectiveFact(i, f"Objective {i}", "company" if i <= 10 else "team",
                                1 + i % 25, 1 + i % 60,
                                None if i <= 10 or i % 9 == 0 else 1 + i % 10,
                                rng.uniform(0.2, 0.8))
                  for i in range(1, key_results // 5 + 1)]
    krs, snapshots, check_ins = _key_results(rng, objectives)
    items = [ItemFact(i, 1, f"ext-{i}", f"PROJ-{i}", rng.choice(["todo", "in_progress", "done"]),
                      tuple(sorted({1 + i % len(krs), 1 + (i * 7) % len(krs)}))
                      if i % 10 == 0 else (1 + i % len(krs),))
             for i in range(1, 3 * len(krs) + 1)]
    texts = [CommentFact(n, 1, f"ext-{1 + n % len(items)}", _comment_text(rng, n),
                         NOW - timedelta(days=rng.randint(1, 50))) for n in range(1, comments + 1)]
    relations = [RelationFact(1, f"ext-{rng.randint(1, len(items))}",
                              f"ext-{rng.randint(1, len(items))}") for _ in range(len(krs))]
    return CycleFacts(CycleInfo(1, "Q1 2026", START, END, "active"), NOW, "company", objectives,
                      krs, check_ins, snapshots, items, texts, relations)


def store_cycle(facts: CycleFacts, url: str) -> None:
    """Write the synthetic cycle into a fresh store, row for row."""
    from okr_core import models as m
    from okr_core.store import make_engine, make_sessionmaker, session_scope

    engine = make_engine(url)
    m.Base.metadata.create_all(engine)
    with session_scope(make_sessionmaker(engine)) as session:
        session.add_all([m.Team(id=i, name=f"Team {i}", kind="team") for i in range(1, 26)])
        session.add_all([m.User(id=i, name=f"User {i}", email=f"u{i}@bench.example")
                         for i in range(1, 61)])
        session.add(m.Cycle(id=1, name=facts.cycle.name, start_date=START, end_date=END,
                            status="active"))
        session.add(m.Connection(id=1, tracker="jira", name="bench", base_url="https://j.example"))
        session.flush()
        _store_okrs(session, m, facts)
        _store_work(session, m, facts)
    engine.dispose()


def _store_okrs(session, m, facts: CycleFacts) -> None:
    session.add_all([m.Objective(id=o.id, cycle_id=1, title=o.title, team_id=o.team_id,
                                 owner_id=o.owner_id, parent_id=o.parent_id, progress=o.progress)
                     for o in facts.objectives])
    session.flush()
    session.add_all([m.KeyResult(id=k.id, objective_id=k.objective_id, title=k.title,
                                 owner_id=k.owner_id, target_value=k.target_value,
                                 progress=k.progress, status=k.status, confidence=k.confidence,
                                 last_progress_change_at=k.last_progress_change_at,
                                 created_at=k.created_at) for k in facts.key_results])
    session.flush()
    session.add_all([m.CheckIn(id=c.id, key_result_id=c.kr_id, status=c.status, note=c.note,
                               confidence=c.confidence, blockers=c.blockers,
                               created_at=c.created_at) for c in facts.check_ins])
    session.add_all([m.ProgressSnapshot(key_result_id=p.kr_id, at=p.at, progress=p.progress)
                     for p in facts.snapshots])


def _store_work(session, m, facts: CycleFacts) -> None:
    session.add_all([m.WorkLink(id=k.id, key_result_id=k.id, connection_id=1, kind="issue",
                                ref=str(k.id)) for k in facts.key_results])
    session.add_all([m.WorkItem(id=i.id, connection_id=1, external_id=i.external_id, key=i.key,
                                status_category=i.status_category, tracker_updated_at=NOW)
                     for i in facts.items])
    session.flush()
    session.add_all([m.LinkItem(work_link_id=kr_id, work_item_id=i.id)
                     for i in facts.items for kr_id in i.kr_ids])
    session.add_all([m.Comment(id=c.id, connection_id=1, external_id=f"c{c.id}",
                               item_external_id=c.item_external_id, body=c.body,
                               created_at=c.created_at) for c in facts.comments])
    pairs = {(r.blocker_external_id, r.blocked_external_id) for r in facts.relations}
    session.add_all([m.ItemRelation(connection_id=1, blocker_external_id=a, blocked_external_id=b)
                     for a, b in sorted(pairs)])


def time_from_store(facts: CycleFacts) -> tuple[float, float]:
    """(load seconds, load + analysis seconds) reading the cycle back from a SQLite store."""
    import tempfile

    from okr_core.analysis import load_cycle_facts, parse_scope
    from okr_core.domain import Role
    from okr_core.store import make_engine, make_sessionmaker
    from okr_core.visibility import Viewer

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        store_cycle(facts, url)
        engine = make_engine(url)
        session = make_sessionmaker(engine)()
        detect_once.cache_clear()
        began = time.perf_counter()
        with gc_paused():   # as the analysis job does
            loaded = load_cycle_facts(session, 1, Viewer(0, Role.ADMIN, None, frozenset(), frozenset()),
                                      parse_scope("company"), NOW)
            load_time = time.perf_counter() - began
            analyse(loaded)
        total = time.perf_counter() - began
        session.close()
        engine.dispose()
    return load_time, total


def _analyse_stored(url: str) -> tuple[float, float, int, float]:
    """(load + mine-or-read + analyse seconds, of which mining/reading, texts mined now, CPU seconds)
    from a store, as sync.analysis.jobs._compute does it."""
    from okr_core.analysis import load_cycle_facts, parse_scope
    from okr_core.analysis.mining_store import prepare_minings
    from okr_core.domain import Role
    from okr_core.store import make_engine, make_sessionmaker, session_scope
    from okr_core.visibility import Viewer

    engine = make_engine(url)
    began, began_cpu = time.perf_counter(), time.process_time()
    with session_scope(make_sessionmaker(engine)) as session, gc_paused():
        loaded = load_cycle_facts(session, 1, Viewer(0, Role.ADMIN, None, frozenset(), frozenset()),
                                  parse_scope("company"), NOW)
        mining_began = time.perf_counter()
        mined = prepare_minings(session, loaded)
        mining = time.perf_counter() - mining_began
        analyse(loaded)
    total, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    engine.dispose()
    return total, mining, mined, cpu


def _stored_mining_runs(facts: CycleFacts, url: str, label: str) -> None:
    """Cold (nothing stored: every text mined and stored), warm, and warm in a fresh process."""
    import subprocess

    store_cycle(facts, url)
    detect_once.cache_clear()
    for run in ("cold", "warm"):
        total, mining, mined, cpu = _analyse_stored(url)
        print(f"{label} stored mining, {run}: load + mine + analyse {total:.2f} s wall, {cpu:.2f} s CPU (mining or"
              f" reading results {mining:.2f} s wall, {mined} texts mined)")
    child = subprocess.run([sys.executable, __file__, "--child", url, label], capture_output=True, text=True,
                           check=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    print(child.stdout.strip())


def time_stored_mining(facts: CycleFacts, postgres: bool) -> None:
    """The stored-mining runs on a fresh SQLite file, then (with --pg) a fresh PostgreSQL schema."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _stored_mining_runs(facts, f"sqlite:///{folder}/bench.db", "SQLite")
    if postgres:
        from bench.api import pg_schema

        url, drop = pg_schema()
        try:
            _stored_mining_runs(facts, url, "PostgreSQL")
        finally:
            drop()


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        total, mining, mined, cpu = _analyse_stored(sys.argv[2])
        print(f"{sys.argv[3]} stored mining, warm in a fresh process: load + read + analyse {total:.2f} s wall,"
              f" {cpu:.2f} s"
              f" CPU (reading results {mining:.2f} s wall, {mined} texts mined; load average"
              f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key-results", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store", action="store_true",
                        help="also write the cycle to SQLite and time loading it back")
    parser.add_argument("--stored-mining", action="store_true",
                        help="time cold, warm and fresh-process analyses that keep mining results in the store")
    parser.add_argument("--pg", action="store_true",
                        help="with --stored-mining: also on PostgreSQL (OKRSYNC_BENCH_PG_URL, a fresh schema)")
    args = parser.parse_args()
    facts = make_cycle(args.key_results, args.comments)
    detect_once.cache_clear()
    timings, cpu = [], []
    for _ in range(args.repeat):   # the first run mines every text; later ones reuse the miner's results
        began, began_cpu = time.perf_counter(), time.process_time()
        sections = analyse(facts)
        timings.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    prompt = build_prompt(sections, {kr.id: kr.title for kr in facts.key_results})
    print(f"cycle: {len(facts.key_results)} key results, {len(facts.objectives)} objectives, "
          f"{len(facts.comments)} comments, {len(facts.check_ins)} check-ins, "
          f"{len(facts.snapshots)} snapshots, {len(facts.items)} items")
    warm = f", warm (texts mined before) best {min(timings[1:]):.2f} s" if len(timings) > 1 else ""
    print(f"full deterministic analysis: cold {timings[0]:.2f} s{warm} (target < 2 s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"CPU time (about the wall time on an idle core): cold {cpu[0]:.2f} s"
          + (f", warm {min(cpu[1:]):.2f} s" if len(cpu) > 1 else ""))
    print(f"blocker mentions: {sections['blockers']['mentions']}, "
          f"recurring groups: {len(sections['blockers']['recurring'])}")
    print(f"narrative prompt: {prompt.tokens} tokens (budget {TOKEN_BUDGET}), "
          f"lists of {prompt.list_limit}")
    if args.store:
        load_time, total = time_from_store(facts)
        print(f"from a SQLite store: load {load_time:.2f} s (11 queries), "
              f"load + cold analysis {total:.2f} s")
    if args.stored_mining:
        time_stored_mining(facts, args.pg)


if __name__ == "__main__":
    main()
