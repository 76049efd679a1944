"""Every recount goes through okr_core.recount: a sync and a check-in count a KR the same way."""
from __future__ import annotations

from okr_core.domain import LinkKind, TrackerKind
from sync.reconcile.passes import reconcile_connection


def expected_points(sim, epic: str, default_estimate: float) -> float:
    """Points of the epic's live children, unestimated ones weighing the default estimate."""
    # Canceled work ("Won't Do" in Jira) does not count.
    children = [i for i in sim.store.live() if i.epic_key == epic and i.state != "canceled"]
    assert any(i.points is None for i in children) and any(i.points is not None for i in children)
    return sum(default_estimate if i.points is None else i.points for i in children)


def test_points_total_is_the_same_after_a_sync_and_after_a_note_only_check_in(
        app, client, admin, sim, sync_world):
    jira = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50, default_estimate=5)
    kr = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    with app.app_context():
        reconcile_connection(jira)
    synced = sync_world.kr(kr)
    assert synced.points_total == expected_points(sim, "SIM-1", 5)

    answer = client.post(f"/api/v1/key-results/{kr}/check-ins", headers=admin,
                         json={"note": "Nothing new this week"})
    assert answer.status_code == 201, answer.get_json()
    checked_in = sync_world.kr(kr)
    assert (checked_in.points_total, checked_in.points_done) == (synced.points_total,
                                                                 synced.points_done)
    assert checked_in.progress == synced.progress


def test_a_key_result_edit_through_the_api_counts_with_the_default_estimate_too(
        app, client, admin, sim, sync_world):
    jira = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50, default_estimate=5)
    kr = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    with app.app_context():
        reconcile_connection(jira)
    answer = client.patch(f"/api/v1/key-results/{kr}", headers=admin, json={"title": "Renamed"})
    assert answer.status_code == 200, answer.get_json()
    assert sync_world.kr(kr).points_total == expected_points(sim, "SIM-1", 5)
