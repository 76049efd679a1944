"""A week of the simulated tracker for drafted check-ins: one owner, a KR mirrored as a Linear
project, one mirrored as a Jira issue and a manual one; issues closing and blocker comments."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from okr_core.domain import LinkKind, Measure, Role, TrackerKind
from okr_core.models import CheckInDraft, KeyResult, User
from sync.mirror.mirrors import mirror_key_result
from sync.reconcile.passes import reconcile_connection
from tests.passwords import stored_hash
from tests.sync.sync_world import SyncWorld, epic_children

OWNER_EMAIL, OWNER_PASSWORD = "olive@example.com", "a long enough password"
LINEAR_EPIC, JIRA_EPIC = "SIM-1", "SIM-51"
BLOCKERS = {LINEAR_EPIC: "We are blocked until the payments team ships their refund API",
            JIRA_EPIC: "Still blocked on legal review of the vendor contract"}


@dataclass
class CheckInWeek:
    owner_id: int
    linear: int
    jira: int
    linear_kr: int
    jira_kr: int
    manual_kr: int
    closed: dict[str, list[str]]     # epic -> keys closed this week


def open_children(sim, epic: str) -> list[str]:
    return [k for k in epic_children(sim, epic) if sim.issue(k).state in ("todo", "in_progress")]


def build_week(app, sim) -> CheckInWeek:
    """Connections, mirrored KRs owned by one person, a first pass, then a week of work."""
    world = SyncWorld(app)
    linear = world.connection(TrackerKind.LINEAR, sim.url, page_size=50)
    jira = world.connection(TrackerKind.JIRA, sim.url, page_size=50, story_points_field="customfield_10016")
    with world.scope() as session:
        owner = User(name="Olive Owner", email=OWNER_EMAIL, role=Role.MEMBER,
                     password_hash=stored_hash(OWNER_PASSWORD))
        session.add(owner)
        session.flush()
        owner_id = owner.id
    linear_kr = world.key_result(world.objective(world.team(linear, TrackerKind.LINEAR), "Faster refunds"),
                                 title="Refund work done")
    world.link(linear_kr, linear, LinkKind.PROJECT, sim.store.project_id(LINEAR_EPIC))
    jira_kr = world.key_result(world.objective(world.team(jira, TrackerKind.JIRA), "Vendor launch"),
                               title="Vendor work done")
    world.link(jira_kr, jira, LinkKind.EPIC, JIRA_EPIC)
    manual_kr = world.key_result(world.objective(world.team(jira, TrackerKind.JIRA), "Happy customers"),
                                 Measure.MANUAL, start=20, target=60, title="Customer NPS")
    with world.scope() as session:
        for kr_id in (linear_kr, jira_kr, manual_kr):
            kr = session.get(KeyResult, kr_id)
            kr.owner_id = owner_id
        session.get(KeyResult, manual_kr).current_value = 32.0
    with app.app_context():
        for kr_id in (linear_kr, jira_kr, manual_kr):
            mirror_key_result(kr_id)
        reconcile_connection(linear)
        reconcile_connection(jira)
    _drain(app)
    closed = {}
    for epic in (LINEAR_EPIC, JIRA_EPIC):        # the week: two issues close, a blocker is raised
        keys = open_children(sim, epic)
        closed[epic] = keys[:2]
        for key in keys[:2]:
            sim.set_done(key)
        sim.add_comment(keys[2], BLOCKERS[epic])
    with app.app_context():
        reconcile_connection(linear)
        reconcile_connection(jira)
    _drain(app)
    return CheckInWeek(owner_id, linear, jira, linear_kr, jira_kr, manual_kr, closed)


def _drain(app) -> None:
    """Wait for the follow-up jobs of the embedded queue (with RQ, workers run them elsewhere)."""
    try:
        app.extensions["okrsync.queue"].drain(timeout=60)
    except NotImplementedError:
        pass


def drafts(app) -> dict[int, CheckInDraft]:
    """Every stored draft by KR id (detached)."""
    from okr_core.store import session_scope

    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        rows = session.scalars(select(CheckInDraft).order_by(CheckInDraft.id)).all()
        for row in rows:
            session.expunge(row)
        return {row.key_result_id: row for row in rows}
