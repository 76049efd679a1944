"""Migration i20_link_match_ref: every existing work link gets its ref folded as the code folds it
(okr_core.membership.folded_ref, Python's casefold), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import insert, text

from okr_core.domain import CycleStatus, Measure
from okr_core.membership import folded_ref
from okr_core.models import Base
from okr_core.store import make_engine
from okrsync.dbmigrate import alembic_config, check, upgrade

BEFORE = "i18b_notifications"
REFS = {1: " ABC-12 ", 2: "Straße", 3: "ÄPFEL", 4: "project = X AND labels = Y"}
INSERT_LINK = text("INSERT INTO work_links (id, key_result_id, connection_id, kind, ref, created_at) "
                   "VALUES (:id, 1, 1, :kind, :ref, '2026-12-01 00:00:00')")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_before(request, tmp_path) -> str:
    url = (f"sqlite:///{tmp_path / 'before.db'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_schema_url"))
    command.upgrade(alembic_config(url), BEFORE)
    return url


def _a_key_result(conn) -> None:
    """Connection 1 and key result 1, through tables this migration leaves as they are."""
    tables = Base.metadata.tables
    conn.execute(insert(tables["connections"]).values(id=1, tracker="jira", name="Acme",
                                                      base_url="https://acme.atlassian.net"))
    conn.execute(insert(tables["cycles"]).values(id=1, name="Q4", start_date=date(2026, 10, 1),
                                                 end_date=date(2026, 12, 31), status=CycleStatus.ACTIVE))
    conn.execute(insert(tables["objectives"]).values(id=1, cycle_id=1, title="Ship"))
    conn.execute(insert(tables["key_results"]).values(id=1, objective_id=1, title="Done", start_value=0.0,
                                                      target_value=100.0, measure=Measure.WORK_DONE_RATIO))


def test_existing_links_get_their_folded_ref_and_the_index(store_before):
    engine = make_engine(store_before)
    try:
        with engine.begin() as conn:
            _a_key_result(conn)
            for link_id, ref in REFS.items():
                conn.execute(INSERT_LINK, {"id": link_id, "kind": "jql" if link_id == 4 else "issue",
                                           "ref": ref})
        upgrade(store_before)
        check(store_before)   # the column, NOT NULL, and its index are what the model says
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT id, match_ref FROM work_links")).all())
        assert rows == {link_id: folded_ref(ref) for link_id, ref in REFS.items()}
        assert rows[2] == "strasse" and rows[3] == "äpfel"   # what SQL's lower() would not give
        command.downgrade(alembic_config(store_before), BEFORE)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM work_links")).scalar() == len(REFS)
    finally:
        engine.dispose()
