"""Arranges connections to the simulated tracker, homed teams and linked KRs for sync tests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from sqlalchemy import func, select

from okr_core.domain import CycleStatus, LinkKind, Measure, TeamKind, TrackerKind
from okr_core.models import (
    Connection, Cycle, KeyResult, LinkItem, Mirror, Objective, ProgressSnapshot, SyncState, Team,
    WorkItem, WorkLink,
)
from okr_core.store import session_scope
from tests.simtracker.linear_api import TEAM_ID

# Fast retries: tests never wait for real back-off or a 1 s Retry-After.
FAST = {"retry_base_delay": 0.001, "retry_max_delay": 0.01, "timeout": 5}
CREDENTIALS = {TrackerKind.JIRA: {"email": "bot@example.test", "api_token": "sim-token"},
               TrackerKind.LINEAR: {"api_key": "lin_api_sim"}}
HOME = {TrackerKind.JIRA: "SIM", TrackerKind.LINEAR: TEAM_ID}


class SyncWorld:
    """Rows for one test, made in their own committed transactions."""

    def __init__(self, app):
        self.app = app

    def scope(self):
        return session_scope(self.app.extensions["okrsync.sessionmaker"])

    def _add(self, row) -> int:
        with self.scope() as session:
            session.add(row)
            session.flush()
            return row.id

    def connection(self, tracker: TrackerKind, url: str, **settings) -> int:
        """A connection to `url`, which the app's outbound check is told to allow (plain http)."""
        host = urlsplit(url).netloc
        self.app.config["OUTBOUND_ALLOWLIST_EXTRA"] = (
            *self.app.config.get("OUTBOUND_ALLOWLIST_EXTRA", ()), host)
        box = self.app.extensions["okrsync.secret_box"]
        return self._add(Connection(tracker=tracker, name=f"{tracker} sim", base_url=url,
                                    credentials_encrypted=box.encrypt_json(CREDENTIALS[tracker]),
                                    settings={**FAST, **settings}))

    def team(self, connection_id: int | None = None, tracker: TrackerKind = TrackerKind.JIRA,
             home: str | None = None) -> int:
        return self._add(Team(name="Platform", kind=TeamKind.TEAM, home_connection_id=connection_id,
                              home_project=(home or HOME[tracker]) if connection_id else None))

    def cycle(self) -> int:
        today = datetime.now(timezone.utc).date()
        return self._add(Cycle(name="Q", start_date=today - timedelta(days=30),
                               end_date=today + timedelta(days=60), status=CycleStatus.ACTIVE))

    def objective(self, team_id: int | None = None, title: str = "Ship the platform") -> int:
        return self._add(Objective(cycle_id=self.cycle(), title=title, team_id=team_id))

    def key_result(self, objective_id: int, measure: Measure = Measure.WORK_DONE_RATIO,
                   start: float = 0.0, target: float = 100.0, title: str = "Work done") -> int:
        return self._add(KeyResult(objective_id=objective_id, title=title, start_value=start,
                                   target_value=target, measure=measure))

    def link(self, kr_id: int, connection_id: int, kind: LinkKind, ref: str) -> int:
        return self._add(WorkLink(key_result_id=kr_id, connection_id=connection_id, kind=kind, ref=ref))

    def linked_kr(self, connection_id: int, kind: LinkKind, ref: str,
                  measure: Measure = Measure.WORK_DONE_RATIO, **kr) -> int:
        kr_id = self.key_result(self.objective(), measure, **kr)
        self.link(kr_id, connection_id, kind, ref)
        return kr_id

    # -- reading ----------------------------------------------------------------------------

    def kr(self, kr_id: int) -> KeyResult:
        with self.scope() as session:
            row = session.get(KeyResult, kr_id)
            session.expunge(row)
            return row

    def members(self, link_id: int) -> set[str]:
        """Keys of the items a link counts."""
        with self.scope() as session:
            return set(session.scalars(select(WorkItem.key).join(
                LinkItem, LinkItem.work_item_id == WorkItem.id).where(LinkItem.work_link_id == link_id)))

    def snapshots(self, kr_id: int) -> int:
        with self.scope() as session:
            return session.scalar(select(func.count()).select_from(ProgressSnapshot)
                                  .where(ProgressSnapshot.key_result_id == kr_id))

    def links(self, connection_id: int) -> list[WorkLink]:
        with self.scope() as session:
            rows = list(session.scalars(select(WorkLink).where(WorkLink.connection_id == connection_id)
                                        .order_by(WorkLink.id)))
            session.expunge_all()
            return rows

    def sync_state(self, connection_id: int) -> SyncState | None:
        with self.scope() as session:
            row = session.get(SyncState, connection_id)
            if row is not None:
                session.expunge(row)
            return row

    def mirrors(self) -> list[tuple[str, int, str]]:
        with self.scope() as session:
            return [(m.subject_kind, m.subject_id, m.external_key) for m in
                    session.scalars(select(Mirror).order_by(Mirror.id))]

    def items(self, connection_id: int) -> dict[str, str]:
        """Stored status category of every item, by key."""
        with self.scope() as session:
            return {key: str(status) for key, status in session.execute(
                select(WorkItem.key, WorkItem.status_category).where(WorkItem.connection_id == connection_id))}

    def item_count(self, connection_id: int) -> int:
        with self.scope() as session:
            return session.scalar(select(func.count()).select_from(WorkItem)
                                  .where(WorkItem.connection_id == connection_id))


def expected_ratio(sim, keys, tracker: TrackerKind = TrackerKind.JIRA) -> tuple[int, int]:
    """(done, total) over live simulator issues, as work_done_ratio counts them.

    Canceled work is left out: Linear's canceled state type, and in Jira the done category
    closed with a not-done resolution ("Won't Do" and the like).
    """
    issues = [sim.issue(k) for k in keys if not sim.issue(k).deleted]
    issues = [i for i in issues if i.state != "canceled"]
    return sum(i.state == "done" for i in issues), len(issues)


def epic_children(sim, epic: str) -> list[str]:
    return [i.key for i in sim.store.live() if i.epic_key == epic]
