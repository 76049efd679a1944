"""Arranges a small cycle in the store for the analysis API and job tests."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from okr_core.domain import (
    CycleStatus, LinkKind, Role, StatusCategory, TeamKind, TrackerKind, Visibility,
)
from okr_core.models import (
    CheckIn, Comment, Connection, Cycle, KeyResult, LinkItem, Objective, ProgressSnapshot,
    WorkItem, WorkLink,
)
from okr_core.store import session_scope


@dataclass
class Arranged:
    cycle_id: int
    team_ids: dict[str, int]
    users: dict[str, tuple[int, dict]]          # name -> (user id, auth header)
    objective_ids: dict[str, int] = field(default_factory=dict)
    kr_ids: dict[str, int] = field(default_factory=dict)


def _kr(objective_id: int, title: str, progress: float, owner_id: int, now: datetime) -> KeyResult:
    return KeyResult(objective_id=objective_id, title=title, start_value=0.0, target_value=10.0,
                     current_value=10 * progress, progress=progress, owner_id=owner_id,
                     last_progress_change_at=now - timedelta(days=2), created_at=now - timedelta(days=50))


def _history(session, kr: KeyResult, now: datetime) -> None:
    """Weekly snapshots rising to the KR's progress, and one check-in naming a blocker."""
    for week in range(6, -1, -1):
        share = kr.progress * (6 - week) / 6
        session.add(ProgressSnapshot(key_result_id=kr.id, at=now - timedelta(days=7 * week + 1),
                                     value=10 * share, progress=share))
    session.add(CheckIn(key_result_id=kr.id, value=kr.current_value, note="steady",
                        blockers="Waiting on design specs", created_at=now - timedelta(days=3)))


def arrange_cycle(app, actors, now: datetime | None = None) -> Arranged:
    """Company with Platform and Sales teams, four users, and an active cycle half gone."""
    now = now or datetime.now(timezone.utc)
    company = actors.team("Northwind", TeamKind.COMPANY)
    platform = actors.team("Platform", TeamKind.TEAM, parent_id=company)
    sales = actors.team("Sales", TeamKind.TEAM, parent_id=company)
    users = {"admin": actors.user(Role.ADMIN), "lead": actors.user(Role.LEAD, platform),
             "dev": actors.user(Role.MEMBER, platform), "seller": actors.user(Role.MEMBER, sales)}
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        cycle = Cycle(name="Q1 2026", start_date=now.date() - timedelta(days=45),
                      end_date=now.date() + timedelta(days=44), status=CycleStatus.ACTIVE)
        connection = Connection(tracker=TrackerKind.JIRA, name="jira", base_url="https://x.example")
        session.add_all([cycle, connection])
        session.flush()
        arranged = Arranged(cycle.id, {"company": company, "platform": platform, "sales": sales},
                            users)
        _objectives(session, arranged, connection.id, now)
        return arranged


def _objectives(session, arranged: Arranged, connection_id: int, now: datetime) -> None:
    """A public and a team-only Platform objective, a private Sales one; one KR each."""
    teams, users = arranged.team_ids, arranged.users
    rows = [("public", teams["platform"], Visibility.PUBLIC, "lead"),
            ("team", teams["platform"], Visibility.TEAM, "lead"),
            ("private", teams["sales"], Visibility.PRIVATE, "seller")]
    for key, team, visibility, owner in rows:
        objective = Objective(cycle_id=arranged.cycle_id, title=f"{key} objective", team_id=team,
                              owner_id=users[owner][0], visibility=visibility)
        session.add(objective)
        session.flush()
        arranged.objective_ids[key] = objective.id
        kr = _kr(objective.id, f"{key} KR", 0.4, users[owner][0], now)
        session.add(kr)
        session.flush()
        arranged.kr_ids[key] = kr.id
        _history(session, kr, now)
        _linked_item(session, connection_id, kr.id, key)


def _linked_item(session, connection_id: int, kr_id: int, key: str) -> None:
    link = WorkLink(key_result_id=kr_id, connection_id=connection_id, kind=LinkKind.ISSUE,
                    ref=f"P-{kr_id}")
    item = WorkItem(connection_id=connection_id, external_id=f"ext-{kr_id}", key=f"P-{kr_id}",
                    title=key, status_category=StatusCategory.IN_PROGRESS,
                    tracker_updated_at=datetime(2026, 1, 5, tzinfo=timezone.utc))
    session.add_all([link, item])
    session.flush()
    session.add(LinkItem(work_link_id=link.id, work_item_id=item.id))
    session.add(Comment(connection_id=connection_id, external_id=f"c-{kr_id}",
                        item_external_id=item.external_id, body=f"Blocked by the {key} vendor",
                        created_at=datetime(2026, 1, 6, tzinfo=timezone.utc)))

