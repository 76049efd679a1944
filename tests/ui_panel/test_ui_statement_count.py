"""The company view runs the same number of SQL statements for a tiny and the demo cycle."""
from __future__ import annotations

from datetime import date

from sqlalchemy import event

from okr_core.models import Cycle, KeyResult, Objective


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
