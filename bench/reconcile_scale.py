"""Scale series of bench/reconcile.py: does a first pass cost the same per item at every size?

For each store (SQLite, and PostgreSQL with --pg) and each size of 10,000, 40,000 and 100,000
issues up to --issues (one KR per 100 issues, the simulator answering at once): the first pass's
wall time per item, against a raw paging loop over the same simulator measured just before it,
and the peak traced memory of a first pass (a separate pass on a fresh store). It prints the ratio
largest / smallest of the per-item time (target: at most 1.3) and of the peak memory (target: at
most 1.2): a pass whose cost or memory grows with what it has already stored fails them.
"""
from __future__ import annotations

import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from bench.sim_process import simulator_process

SIZES = (10_000, 40_000, 100_000)
PER_ITEM_TARGET = 1.3
MEMORY_TARGET = 1.2


@dataclass
class SizeFigures:
    store: str
    issues: int
    seconds: float
    raw: float
    peak_mib: float

    @property
    def per_item_ms(self) -> float:
        return 1000 * self.seconds / self.issues


def sizes_up_to(issues: int) -> list[int]:
    """The standard sizes below `issues`, then `issues` itself."""
    return [size for size in SIZES if size < issues] + [issues]


def measure_size(args, tmp: Path, pg: bool, issues: int) -> SizeFigures:
    """One first pass and one traced first pass of `issues` issues, each on a fresh store."""
    from bench.reconcile import PAGE, arrange, make_app, raw_loop, timed_pass

    krs = max(1, round(args.krs * issues / args.issues))
    with simulator_process(issues=issues, page_size=PAGE, linear_page_size=PAGE) as sim:
        sim.set_latency(0.0)
        raw_loop(sim, args.tracker)                       # warm the simulator's search cache
        raw = min(raw_loop(sim, args.tracker) for _ in range(2))
        app = make_app(tmp / f"scale-{len(list(tmp.iterdir()))}", sim, pg)
        seconds = timed_pass(app, sim, arrange(app, sim, args.tracker, krs))[2]
        app.extensions["okrsync.queue"].shutdown()
        traced = make_app(tmp / f"scale-{len(list(tmp.iterdir()))}", sim, pg)
        connection = arrange(traced, sim, args.tracker, krs)
        tracemalloc.start()
        try:
            timed_pass(traced, sim, connection)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            traced.extensions["okrsync.queue"].shutdown()
    return SizeFigures("PostgreSQL" if pg else "SQLite", issues, seconds, raw, peak / 2**20)


def report(rows: list[SizeFigures]) -> None:
    """The per-size table, then each store's ratios largest / smallest."""
    print("scale: first pass at 0 ms answer time, one KR per 100 issues")
    print(f"  {'store':<11}{'issues':>8}{'pass s':>9}{'raw loop s':>12}{'pass/raw':>10}"
          f"{'ms per item':>13}{'peak MiB':>10}")
    for row in rows:
        print(f"  {row.store:<11}{row.issues:>8}{row.seconds:>9.2f}{row.raw:>12.2f}"
              f"{row.seconds / row.raw:>10.2f}{row.per_item_ms:>13.3f}{row.peak_mib:>10.1f}")
    for store in dict.fromkeys(row.store for row in rows):
        mine = [row for row in rows if row.store == store]
        small, large = mine[0], mine[-1]
        print(f"  {store}: per item {large.issues} / {small.issues} = "
              f"{large.per_item_ms / small.per_item_ms:.2f} (target <= {PER_ITEM_TARGET}); "
              f"raw loop per item {large.raw / large.issues / (small.raw / small.issues):.2f}; "
              f"peak memory {large.peak_mib / small.peak_mib:.2f} (target <= {MEMORY_TARGET})")


def run_scale(args, tmp: Path) -> None:
    """Measure and print the series for SQLite, and PostgreSQL when asked for."""
    rows = [measure_size(args, tmp, pg, issues)
            for pg in ([False, True] if args.pg else [False])
            for issues in sizes_up_to(args.issues)]
    report(rows)
