"""Analysis jobs: the narrative cache, failures on the row, refreshing every scope asked for."""
import json
from datetime import datetime, timezone

import pytest
import responses
from tests.sync.analysis.analysis_store import arrange_cycle
from tests.sync.analysis.llm_replies import BASE_URL, COMPLETIONS_URL, MODEL, completion
from sqlalchemy import select

from okr_core.analysis import load_cycle_facts, parse_scope
from okr_core.models import Analysis, KeyResult, Objective, User
from okr_core.store import session_scope
from sync.analysis.jobs import (
    EVERYTHING, queue_analysis, refresh_cycle_analyses, refresh_job_id, run_analysis,
)

PHRASED = {"headline": "Steady progress across the platform objectives",
           "summary": "Work moves at a steady pace; one blocker keeps coming back.",
           "highlights": [], "concerns": [{"text": "Design specs keep arriving late",
                                           "refs": ["blocker:1"]}], "recommendations": []}


@pytest.fixture
def settings(settings):
    return settings.with_overrides(openai_api_key="sk-test", llm_model=MODEL,
                                   llm_base_url=BASE_URL, outbound_allowlist=("127.0.0.1",))


@pytest.fixture
def arranged(app, actors):
    return arrange_cycle(app, actors)


def _analyse(app, arranged, key="company") -> Analysis:
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        analysis_id = queue_analysis(session, arranged.cycle_id, key).id
    with app.app_context():
        run_analysis(analysis_id)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        return session.get(Analysis, analysis_id)


def test_an_unchanged_cycle_costs_no_second_call(app, arranged):
    with responses.RequestsMock(assert_all_requests_are_fired=True) as llm:
        llm.post(COMPLETIONS_URL, json=completion(json.dumps(PHRASED)))
        first = _analyse(app, arranged)
        second = _analyse(app, arranged)
        assert len(llm.calls) == 1
    assert first.narrative["source"] == second.narrative["source"] == "llm"
    assert second.narrative["headline"] == PHRASED["headline"]
    assert first.inputs_hash == second.inputs_hash and second.model == MODEL


def test_a_changed_cycle_asks_again(app, arranged, db):
    with responses.RequestsMock(assert_all_requests_are_fired=True) as llm:
        llm.post(COMPLETIONS_URL, json=completion(json.dumps(PHRASED)))
        llm.post(COMPLETIONS_URL, json=completion(json.dumps(PHRASED)))
        first = _analyse(app, arranged)
        kr = db.get(KeyResult, arranged.kr_ids["public"])
        kr.status = "off_track"
        db.commit()
        second = _analyse(app, arranged)
        assert len(llm.calls) == 2
    assert first.inputs_hash != second.inputs_hash


def test_a_run_that_cannot_load_its_viewer_is_recorded_as_failed(app, arranged, db):
    dev_id = arranged.users["dev"][0]
    db.get(User, dev_id).active = False
    db.commit()
    with pytest.raises(LookupError):
        _analyse(app, arranged, key=f"company~u{dev_id}")
    row = db.scalars(select(Analysis).where(Analysis.scope == f"company~u{dev_id}")).one()
    assert row.state == "failed" and "inactive" in row.error


def test_refresh_recomputes_every_scope_that_was_asked_for(app, arranged, db):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as llm:
        llm.post(COMPLETIONS_URL, json=completion(json.dumps(PHRASED)))
        dev_key = f"company~u{arranged.users['dev'][0]}"
        _analyse(app, arranged)
        _analyse(app, arranged, key=dev_key)
        with app.app_context():
            ids = refresh_cycle_analyses(arranged.cycle_id)
    rows = [db.get(Analysis, i) for i in ids]
    assert sorted(r.scope for r in rows) == ["company", dev_key]
    assert all(r.state == "done" for r in rows)


def test_refresh_job_ids_collapse_within_a_window():
    at = datetime(2026, 2, 1, 9, 0, 5, tzinfo=timezone.utc)
    same = datetime(2026, 2, 1, 9, 0, 59, tzinfo=timezone.utc)
    later = datetime(2026, 2, 1, 9, 1, 0, tzinfo=timezone.utc)
    assert refresh_job_id(3, at) == refresh_job_id(3, same) != refresh_job_id(3, later)
    assert refresh_job_id(3, at) != refresh_job_id(4, at)


def test_the_loader_runs_a_fixed_number_of_queries_whatever_the_cycle_size(app, arranged, db):
    from sqlalchemy import event

    def count_queries():
        statements = []
        engine = app.extensions["okrsync.engine"]
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
            facts = load_cycle_facts(session, arranged.cycle_id, EVERYTHING, parse_scope("company"),
                                     datetime.now(timezone.utc))
        event.remove(engine, "before_cursor_execute", listener)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")]), facts

    small, facts = count_queries()
    for n in range(12):
        objective = Objective(cycle_id=arranged.cycle_id, title=f"More {n}")
        db.add(objective)
        db.flush()
        db.add_all(KeyResult(objective_id=objective.id, title=f"KR {n}.{k}", target_value=5.0)
                   for k in range(3))
    db.commit()
    large, more = count_queries()
    assert len(more.key_results) == len(facts.key_results) + 36
    assert small == large == 11     # cycle, objectives, KRs, check-ins, snapshots, items,
    #                                  comments, relations, earlier cycles, team names, user names


def test_the_llm_settings_an_admin_saved_win_over_the_environment(app, arranged, db):
    from responses import matchers

    from config.instance_settings import save_llm_settings
    save_llm_settings(db, arranged.users["admin"][0], app.extensions["okrsync.secret_box"],
                      "admin-chosen-model", BASE_URL, "sk-admin-key")
    db.commit()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as llm:
        llm.post(COMPLETIONS_URL, json=completion(json.dumps(PHRASED)), match=[
            matchers.json_params_matcher({"model": "admin-chosen-model"}, strict_match=False),
            matchers.header_matcher({"authorization": "Bearer sk-admin-key"})])
        analysis = _analyse(app, arranged)
    assert analysis.model == "admin-chosen-model" and analysis.narrative["source"] == "llm"


def _unsure_text() -> str:
    """A text the shipped miner is unsure of (the review is what is tested, not the model's verdicts)."""
    from okr_core.blockers import detect
    candidates = ["maybe waiting on the vendor?", "could use a hand with the review",
                  "not sure legal will sign this off in time", "might be blocked by legal, not sure yet",
                  "need design input"]
    return next(text for text in candidates if (finding := detect(text)) is not None and finding.ambiguous)


def test_unsure_blocker_calls_are_reviewed_once_while_their_texts_stay_the_same(app, arranged, db):
    from okr_core.models import Comment
    public = db.get(Comment, db.scalars(select(Comment.id).order_by(Comment.id)).first())
    db.add(Comment(connection_id=public.connection_id, external_id="c-unsure",
                   item_external_id=public.item_external_id, created_at=public.created_at,
                   body=_unsure_text()))
    db.commit()
    review = completion(json.dumps({"items": [{"id": "t1", "is_blocker": True,
                                               "kind": "external"}]}))
    with responses.RequestsMock(assert_all_requests_are_fired=True) as llm:
        llm.post(COMPLETIONS_URL, json=completion(json.dumps(PHRASED)))
        llm.post(COMPLETIONS_URL, json=review)
        first = _analyse(app, arranged)
        second = _analyse(app, arranged)
        assert len(llm.calls) == 2                     # one narrative, one review, then cached
    blockers = second.sections["blockers"]
    assert blockers["llm_review"]["items"] == [{"source_id": blockers["ambiguous"][0]["source_id"],
                                                "is_blocker": True, "kind": "external"}]
    assert blockers["mentions"] == first.sections["blockers"]["mentions"]   # counts untouched
