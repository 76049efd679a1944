"""Blocker mining done once and kept: stored per text with the miner version, reused, re-mined."""
from datetime import datetime, timezone

import pytest
from tests.sync.analysis.analysis_store import arrange_cycle
from sqlalchemy import func, select, update

from okr_core.analysis import load_cycle_facts, parse_scope
from okr_core.analysis.mining_store import outdated_keys, prepare_minings, remine
from okr_core.blockers import miner_version
from okr_core.models import BlockerMining, CheckIn
from okr_core.store import session_scope
from sync.analysis.jobs import EVERYTHING, queue_analysis, run_analysis


@pytest.fixture
def arranged(app, actors):
    return arrange_cycle(app, actors)


def _facts(session, arranged):
    return load_cycle_facts(session, arranged.cycle_id, EVERYTHING, parse_scope("company"),
                            datetime.now(timezone.utc))


def _prepare(app, arranged) -> tuple[int, object]:
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        facts = _facts(session, arranged)
        return prepare_minings(session, facts), facts


def test_texts_are_mined_once_then_read_back(app, arranged):
    mined_first, facts = _prepare(app, arranged)
    assert mined_first > 0 and len(facts.mined) == mined_first
    mined_again, again = _prepare(app, arranged)
    assert mined_again == 0
    assert again.mined == facts.mined
    blockers = [m for key, m in again.mined.items() if key.endswith(":blockers")]
    assert blockers and all(m.finding is not None and m.finding.is_blocker for m in blockers)


def test_an_edited_text_is_mined_again(app, arranged):
    _prepare(app, arranged)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        check_in = session.scalars(select(CheckIn).order_by(CheckIn.id)).first()
        check_in.blockers = "Nothing is blocking us this week."
    mined, facts = _prepare(app, arranged)
    assert mined == 1
    assert facts.mined[f"check-in:{check_in.id}:blockers"].finding is None or \
        not facts.mined[f"check-in:{check_in.id}:blockers"].finding.is_blocker


def test_an_older_miner_version_is_used_then_replaced_in_the_background(app, arranged):
    _prepare(app, arranged)
    sessions = app.extensions["okrsync.sessionmaker"]
    with session_scope(sessions) as session:
        session.execute(update(BlockerMining).values(miner_version="0.9"))
    mined, facts = _prepare(app, arranged)
    assert mined == 0 and {m.miner_version for m in facts.mined.values()} == {"0.9"}
    with session_scope(sessions) as session:
        keys = outdated_keys(session)
        assert len(keys) == len(facts.mined)
        assert remine(session, keys) == len(keys)
    with session_scope(sessions) as session:
        assert outdated_keys(session) == []
        versions = session.scalars(select(BlockerMining.miner_version).distinct()).all()
    assert versions == [miner_version()]


def test_the_analysis_job_stores_what_it_mined(app, arranged):
    sessions = app.extensions["okrsync.sessionmaker"]
    with session_scope(sessions) as session:
        analysis_id = queue_analysis(session, arranged.cycle_id, "company").id
    with app.app_context():
        run_analysis(analysis_id)
    with session_scope(sessions) as session:
        assert session.scalar(select(func.count()).select_from(BlockerMining)) > 0


def test_two_analyses_storing_the_same_text_do_not_collide(app, arranged):
    from okr_core.analysis.mining_store import _row, save, text_digest
    from okr_core.blockers import detect

    sessions = app.extensions["okrsync.sessionmaker"]
    text = "Waiting on design specs"
    with session_scope(sessions) as session:
        save(session, [_row("comment:999", text_digest(text), None, "0.1")])
    with session_scope(sessions) as session:   # a second writer stores the same key: it replaces the row
        save(session, [_row("comment:999", text_digest(text), detect(text), miner_version())])
    with session_scope(sessions) as session:
        row = session.get(BlockerMining, "comment:999")
        assert row.found and row.is_blocker and row.miner_version == miner_version()


def test_a_cycle_holding_most_stored_results_reads_them_in_one_scan_with_the_same_results(
        app, arranged, monkeypatch):
    from okr_core.analysis import mining_store

    _, facts = _prepare(app, arranged)
    keys = list(facts.mined)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        monkeypatch.setattr(mining_store, "BULK_MIN_KEYS", 10 ** 9)
        batched = mining_store.load_stored(session, keys)
        monkeypatch.setattr(mining_store, "BULK_MIN_KEYS", 1)
        scanned = mining_store.load_stored(session, keys)
        partial = mining_store.load_stored(session, keys[:1])    # a small share still looks keys up
    assert scanned == batched == facts.mined
    assert list(partial) == keys[:1]


def test_sections_are_the_same_mined_now_read_back_or_mined_in_memory(app, arranged):
    from okr_core.analysis import analyse
    from okr_core.analysis.blocker_report import detect_once

    sessions = app.extensions["okrsync.sessionmaker"]
    now = datetime(2026, 2, 20, tzinfo=timezone.utc)
    with session_scope(sessions) as session:
        session.add(CheckIn(key_result_id=min(arranged.kr_ids.values()), note="Still blocked by legal review",
                            created_at=now))
    detect_once.cache_clear()
    sections, mined = [], []
    for _ in range(3):   # no stored results used; mined and stored now; read back from the store
        with session_scope(sessions) as session:
            facts = load_cycle_facts(session, arranged.cycle_id, EVERYTHING, parse_scope("company"), now)
            if sections:
                mined.append(prepare_minings(session, facts))
            sections.append(analyse(facts))
    assert mined[0] > 0 and mined[1] == 0
    assert sections[0]["blockers"]["mentions"] > 0
    assert sections[0] == sections[1] == sections[2]
