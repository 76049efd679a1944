"""The company view and My OKRs run the same number of SQL statements for a tiny and the demo cycle."""
from __future__ import annotations

from datetime import date

from markupsafe import escape
from sqlalchemy import event, or_, select

from okr_core.models import Analysis, Cycle, KeyResult, Objective
from okrsync.demo import DEMO_ADMIN_EMAIL
from tests.ui_panel.conftest import user_id_by_email


def _statements(app, client, path: str) -> int:
    seen = []
    engine = app.extensions["okrsync.engine"]
    listener = lambda *args, **kwargs: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def _settle(app, client, db, paths: list[str]) -> None:
    """View each page once and wait until the embedded worker is idle: the analyses first views
    start (My OKRs computes its own) and what a finished analysis queues or checks after it is
    stored (request_remine_if_outdated), so none of the worker's statements land in a page's
    count. Waiting for the analysis rows alone left that tail running under load.

    One page at a time: two analyses computing at once wait for each other's SQLite write lock,
    and under load one could give up (failed); its page would then start another analysis in
    the view being counted. Every analysis must have finished done."""
    for path in paths:
        assert client.get(path).status_code == 200
        app.extensions["okrsync.queue"].drain(timeout=60)
    assert db.scalars(select(Analysis.state).where(Analysis.state != "done")).all() == []
    db.commit()


def test_statement_count_does_not_grow_with_the_tree(app, admin_client, db, demo):
    tiny = Cycle(name="Tiny", start_date=date(2026, 1, 1), end_date=date(2026, 3, 31))
    db.add(tiny)
    db.flush()
    objective = Objective(cycle_id=tiny.id, title="One objective")
    db.add(objective)
    db.flush()
    db.add(KeyResult(objective_id=objective.id, title="One KR", target_value=1))
    db.commit()
    tiny_id = tiny.id
    db.commit()
    big = _statements(app, admin_client, f"/?cycle={demo}")
    small = _statements(app, admin_client, f"/?cycle={tiny_id}")
    assert big == small <= 13  # 13th: the analysis run the panel may be waiting for


def _tiny_cycle_owned_by(db, user_id: int) -> int:
    """A cycle holding one objective of `user_id` (with one KR) and one of nobody's."""
    tiny = Cycle(name="Tiny mine", start_date=date(2026, 1, 1), end_date=date(2026, 3, 31))
    db.add(tiny)
    db.flush()
    mine = Objective(cycle_id=tiny.id, title="My one objective", owner_id=user_id)
    other = Objective(cycle_id=tiny.id, title="Somebody else's objective")
    db.add_all([mine, other])
    db.flush()
    db.add_all([KeyResult(objective_id=mine.id, title="My one KR", target_value=1),
                KeyResult(objective_id=other.id, title="Their KR", target_value=1)])
    db.commit()
    return tiny.id


def test_my_okrs_reads_only_the_viewers_objectives_in_the_same_statements(app, admin_client, db,
                                                                         demo):
    admin_id = user_id_by_email(db, DEMO_ADMIN_EMAIL)
    tiny_id = _tiny_cycle_owned_by(db, admin_id)
    paths = [f"/mine?cycle={demo}", f"/mine?cycle={tiny_id}"]
    _settle(app, admin_client, db, paths)
    big, small = (_statements(app, admin_client, path) for path in paths)
    # The demo's analysis forecasts KRs, so its panel reads their scales (one statement more);
    # the tiny cycle, with no check-ins, has no forecast. Nothing else may differ.
    assert big == small + 1
    page = admin_client.get(f"/mine?cycle={tiny_id}").text
    assert "My one objective" in page and "My one KR" in page
    assert "Somebody else" not in page and "Their KR" not in page
    # The demo cycle: objectives the admin owns or owns a KR of, each with all its KRs.
    owned = db.scalars(select(Objective.title).where(
        Objective.cycle_id == demo, or_(Objective.owner_id == admin_id, Objective.id.in_(
            select(KeyResult.objective_id).where(KeyResult.owner_id == admin_id))))).all()
    others = db.scalars(select(Objective.title).where(
        Objective.cycle_id == demo, Objective.title.not_in(owned))).all()
    db.commit()
    page = admin_client.get(f"/mine?cycle={demo}").text
    assert owned and others
    assert all(escape(title) in page for title in owned)
    assert not any(escape(title) in page for title in others)


def test_my_okrs_of_many_objectives_show_the_top_level_and_load_branches(app, admin_client, db,
                                                                        demo):
    admin_id = user_id_by_email(db, DEMO_ADMIN_EMAIL)
    tiny_id = _tiny_cycle_owned_by(db, admin_id)
    app.config["DASHBOARD_EXPANDED_OBJECTIVES"] = 0  # even one objective counts as large here
    page = admin_client.get(f"/mine?cycle={tiny_id}").text
    assert "My one objective" in page and 'class="branch-toggle"' in page
    assert "My one KR" not in page  # loaded on demand from the branch link
    objective_id = db.scalar(select(Objective.id).where(Objective.title == "My one objective"))
    db.commit()
    assert "My one KR" in admin_client.get(f"/objectives/{objective_id}/branch").text
