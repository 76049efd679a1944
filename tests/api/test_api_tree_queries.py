"""The cycle tree costs a fixed number of SQL statements, whatever the cycle's size (no N+1)."""
from __future__ import annotations

from sqlalchemy import event

from okr_core.domain import Visibility


def _statements_for(client, app, url: str, headers: dict) -> int:
    seen = []
    engine = app.extensions["okrsync.engine"]

    def count(*_args):
        seen.append(1)
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url, headers=headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def _cycle(world, org, objectives: int, krs_each: int) -> int:
    cycle = world.cycle(name=f"{objectives} objectives")
    made: list[int] = []
    for n in range(objectives):
        hidden = n % 4 == 3
        made.append(world.objective(
            cycle, f"Objective {n}", parent_id=made[(n - 1) // 2] if n else None,
            team_id=org.sales if hidden else org.alpha,
            visibility=Visibility.TEAM if hidden else Visibility.PUBLIC))
        for k in range(krs_each):
            world.key_result(made[-1], f"KR {n}.{k}")
    return cycle


def test_tree_statement_count_does_not_grow_with_the_cycle(client, app, org, world):
    small, big = _cycle(world, org, 2, 1), _cycle(world, org, 24, 3)
    for viewer in (org.admin, org.alpha_member):
        client.get("/api/v1/cycles", headers=viewer)  # the token's hourly last-use write, once
        counts = [_statements_for(client, app, f"/api/v1/cycles/{cycle}/tree", viewer)
                  for cycle in (small, big)]
        assert counts[0] == counts[1], counts
