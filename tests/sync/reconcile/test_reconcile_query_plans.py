"""PostgreSQL plans of a first pass's hot statements, on tables nothing but the pass has analyzed.

A pass over a newly connected site starts on never-analyzed tables. Without statistics the page
lookup filtered every row of the connection through another index, and a pass grew
quadratically; the pass now analyzes what it fills (sync.table_stats). These tests read the
plans (EXPLAIN (FORMAT JSON)) of the statements the code really sends, as a custom plan and as
the generic plan a prepared statement ends up with.
"""
from __future__ import annotations

import json
import re
from contextlib import contextmanager

import pytest
from psycopg.sql import Literal
from datetime import datetime, timezone

from sqlalchemy import event, insert, select, text

from okr_core.domain import LinkKind, StatusCategory, TrackerKind, WorkItem
from okr_core.models import WorkLink
from plumbing.db import job_session
from sync.ingest.batch_links import PassLinks
from sync.ingest.plan import StoredItem
from sync.reconcile.passes import reconcile_connection
from sync.ingest.apply import load_stored
from sync.reconcile.table_stats import GrowthAnalyzer
from tests.simtracker import SimTracker

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
UNIQUE_LOOKUP = "uq_work_items_connection_id_external_id"
MEMBERSHIP_BY_ITEM = "ix_link_items_work_item_id"


@pytest.fixture
def database_url(pg_schema_url) -> str:
    """PostgreSQL only: plans are what is under test."""
    return pg_schema_url


@pytest.fixture
def big_sim():
    """2,500 issues in pages of 100: a first pass writes enough rows to analyze twice."""
    with SimTracker.start(issues=2500, page_size=100) as tracker:
        yield tracker


def _analyzed_at(session, table: str):
    return session.execute(text("SELECT last_analyze FROM pg_stat_user_tables "
                                "WHERE relname = :table AND schemaname = current_schema()"),
                           {"table": table}).scalar()


@contextmanager
def captured_statements(connection):
    """(SQL, parameters) of every statement sent on this connection inside the block."""
    sent: list[tuple[str, dict]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))
    event.listen(connection, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _plan_nodes(child)


def custom_plan(session, statement: str, parameters: dict) -> list[dict]:
    """The plan PostgreSQL makes for these parameter values."""
    row = session.connection().exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    return list(_plan_nodes((row if isinstance(row, list) else json.loads(row))[0]["Plan"]))


PLACEHOLDER = re.compile(r"%\((\w+)\)s(::[A-Z0-9_]+(\(\d+\))?(\[\])?)?")   # %(name)s::TYPE, as compiled


def generic_plan(session, statement: str, parameters: dict) -> list[dict]:
    """The plan a prepared statement settles on when it plans once for any values."""
    placeholders = list(dict.fromkeys(match.group(0) for match in PLACEHOLDER.finditer(statement)))
    numbered = PLACEHOLDER.sub(lambda m: f"${placeholders.index(m.group(0)) + 1}", statement)
    driver = session.connection().connection.driver_connection
    # EXPLAIN EXECUTE takes no bound parameters: the values go in as literals, with their casts.
    arguments = [Literal(parameters[m.group(1)]).as_string(driver) + (m.group(2) or "")
                 for m in map(PLACEHOLDER.fullmatch, placeholders)]
    driver.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    driver.execute("PREPARE hot_lookup AS " + numbered)
    row = driver.execute(f"EXPLAIN (FORMAT JSON) EXECUTE hot_lookup({', '.join(arguments)})").fetchone()[0]
    driver.execute("DEALLOCATE hot_lookup")
    return list(_plan_nodes((row if isinstance(row, list) else json.loads(row))[0]["Plan"]))


def _jira_ids(sim) -> list[str]:
    return [str(issue.jira_id) for issue in sim.store.live()]


def scans_of(nodes: list[dict], table: str) -> list[dict]:
    return [node for node in nodes if node.get("Relation Name") == table]


def indexes_read(nodes: list[dict], table: str) -> list[str | None]:
    """The index each read of `table` goes through (None: the table read whole); a bitmap heap
    scan reads through the index of the bitmap index scan under it."""
    read = []
    for scan in scans_of(nodes, table):
        if scan["Node Type"] == "Bitmap Heap Scan":
            read += [node.get("Index Name") for node in _plan_nodes(scan)
                     if node["Node Type"] == "Bitmap Index Scan"]
        else:
            read.append(scan.get("Index Name"))
    return read


def test_the_page_lookup_uses_the_unique_index_after_a_first_pass_on_fresh_tables(app, sync_world, big_sim):
    jira = sync_world.connection(TrackerKind.JIRA, big_sim.url, page_size=100)
    for epic in [i.key for i in big_sim.store.live() if i.issuetype == "Epic"]:
        sync_world.linked_kr(jira, LinkKind.EPIC, epic)   # nearly every item counts somewhere
    with app.app_context(), job_session() as session:
        assert _analyzed_at(session, "work_items") is None   # fresh, never analyzed
    with app.app_context():
        reconcile_connection(jira)
        with job_session() as session:
            assert _analyzed_at(session, "work_items") is not None   # by the pass itself
            assert _analyzed_at(session, "link_items") is not None
            with captured_statements(session.connection()) as sent:
                stored = load_stored(session, jira, _jira_ids(big_sim)[1000:1020])
            assert len(stored) == 20   # as a page of 500 is to a table of 60,000 rows
            lookup, = [(sql, params) for sql, params in sent if "FROM work_items" in sql]
            membership, = [(sql, params) for sql, params in sent if "FROM link_items" in sql]
            for plan in (custom_plan, generic_plan):
                items = scans_of(plan(session, *lookup), "work_items")
                assert [node.get("Index Name") for node in items] == [UNIQUE_LOOKUP], items
                assert "Filter" not in items[0]   # both columns are index conditions
            # The generic plan is the one a repeated statement runs with (psycopg prepares it on
            # its 5th execution); a custom plan may read a table this small whole.
            links = scans_of(generic_plan(session, *membership), "link_items")
            assert [node.get("Index Name") for node in links] == [MEMBERSHIP_BY_ITEM], links


def test_the_page_lookup_is_one_statement_with_one_array_whatever_the_page_size(app, sync_world, big_sim):
    jira = sync_world.connection(TrackerKind.JIRA, big_sim.url, page_size=100)
    epic = next(i.key for i in big_sim.store.live() if i.issuetype == "Epic")
    sync_world.linked_kr(jira, LinkKind.EPIC, epic)   # reconcile reads only what is tracked
    with app.app_context():
        reconcile_connection(jira)
        texts = set()
        for count in (3, 700, 2500):
            with job_session() as session, captured_statements(session.connection()) as sent:
                assert len(load_stored(session, jira, _jira_ids(big_sim)[:count])) == count
            lookups = [sql for sql, _ in sent if "FROM work_items" in sql]
            assert len(lookups) == 1 and "= ANY (" in lookups[0]
            texts.add(lookups[0])
    assert len(texts) == 1   # one text: a prepared plan is reused for every page


def test_tables_are_analyzed_each_time_the_rows_written_double(app):
    with app.app_context():
        growth = GrowthAnalyzer(app.extensions["okrsync.engine"], first_at=1000)
        growth.wrote(600)
        assert growth.runs == 0
        growth.wrote(500)
        assert (growth.runs, growth.next_at) == (1, 2200)
        growth.wrote(1000)
        assert growth.runs == 1
        growth.wrote(200)
        assert (growth.runs, growth.next_at) == (2, 4600)
        with job_session() as session:
            assert _analyzed_at(session, "work_items") is not None


MATCH_REF_LOOKUP = "ix_work_links_conn_match_ref"
LINKS_BY_ID = "pk_work_links"


def test_a_batchs_link_lookups_use_their_indexes_on_a_freshly_loaded_never_analyzed_table(app, sync_world):
    """A batch loads the links that may match its items (by folded ref) and those its stored
    items count (by id): both statements probe an index, also on 20,000 links loaded at once and
    never analyzed (a site whose KRs were just imported)."""
    jira = sync_world.connection(TrackerKind.JIRA, "http://jira.invalid")
    other = sync_world.connection(TrackerKind.JIRA, "http://other.invalid")
    kr = sync_world.key_result(sync_world.objective())
    rows = [{"key_result_id": kr, "connection_id": connection, "kind": LinkKind.ISSUE, "ref": f"SIM-{n}"}
            for connection in (jira, other) for n in range(1, 10_001)]
    with app.app_context(), job_session() as session:
        session.execute(insert(WorkLink), rows)
    with app.app_context(), job_session() as session:
        assert _analyzed_at(session, "work_links") is None
        counted = frozenset(session.scalars(select(WorkLink.id).where(
            WorkLink.connection_id == jira, WorkLink.ref.in_(["SIM-7", "SIM-8"]))))
        items = [WorkItem(external_id=str(20_000 + n), key=f"SIM-{n}", title="", updated_at=T0,
                          status_category=StatusCategory.TODO, parent_ref="SIM-1") for n in range(500, 600)]
        stored = {"1": StoredItem(1, T0, counted)}
        with captured_statements(session.connection()) as sent:
            index = PassLinks(jira, []).for_batch(session, items, stored)
        assert len(index.by_id) == 100 + 1 + 2   # the items' keys, their epic, the counted two
        by_ref, = [(sql, params) for sql, params in sent if "match_ref" in sql]
        by_id, = [(sql, params) for sql, params in sent if "match_ref" not in sql]
        for plan in (custom_plan, generic_plan):
            for (sql, params), expected in ((by_ref, MATCH_REF_LOOKUP), (by_id, LINKS_BY_ID)):
                nodes = plan(session, sql, params)
                assert indexes_read(nodes, "work_links") == [expected], (plan.__name__, nodes)
        probe, = [node for node in generic_plan(session, *by_ref)
                  if node.get("Index Name") == MATCH_REF_LOOKUP]
        # Connection and folded ref are both index conditions: no row of another connection read.
        assert "connection_id" in probe["Index Cond"] and "match_ref" in probe["Index Cond"]
