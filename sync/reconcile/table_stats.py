"""Planner statistics for the tables a reconcile pass fills in bulk (PostgreSQL).

A newly connected site's first pass starts on tables the planner knows nothing about: with no
statistics, PostgreSQL takes `connection_id = $1` to match 0.5% of the rows, so looking up a page
of external ids by (connection_id, external_id) scanned every row of the connection through
another index on connection_id and filtered them. A page then cost as much as the table was
large, and the pass grew quadratically. Autovacuum would fix the statistics some time later, or
never (it can be off); the pass does not wait for it. It analyzes the tables it fills each time
the rows it added doubled (1,000, 2,000, 4,000...): a handful of ANALYZE runs, each reading a
bounded random sample, after which the plans cached before are made again.
https://www.postgresql.org/docs/current/sql-analyze.html
https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-STATISTICS
"""
from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

log = logging.getLogger("okrsync.sync.table_stats")

FILLED_TABLES = ("work_items", "link_items")
FIRST_ANALYZE_ROWS = 1_000


def analyze_tables(engine: Engine, tables=FILLED_TABLES) -> None:
    """ANALYZE these tables in a transaction of their own (a no-op except on PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.exec_driver_sql(f"ANALYZE {table}")


class GrowthAnalyzer:
    """Counts the rows a pass wrote and analyzes the filled tables each time that count doubles."""

    def __init__(self, engine: Engine, first_at: int = FIRST_ANALYZE_ROWS):
        self._engine = engine
        self.written = 0
        self.next_at = first_at
        self.runs = 0

    def wrote(self, rows: int) -> None:
        """Record `rows` more rows committed; analyze once the count reached the next threshold."""
        self.written += rows
        if self.written < self.next_at or self._engine.dialect.name != "postgresql":
            return
        analyze_tables(self._engine)
        self.runs += 1
        self.next_at = 2 * self.written
        log.debug("sync.table-stats.analyzed", extra={"rows_written": self.written})
