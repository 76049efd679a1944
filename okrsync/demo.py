"""`okrsync demo`: a believable company with a live cycle, linked work and check-in history."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from okr_core.domain import (
    CycleStatus, Level, Measure, Role, TeamKind, TrackerKind, CheckInSource, KRStatus,
)
from okr_core.models import (
    Connection, Cycle, KeyResult, Objective, ProgressSnapshot, Team, User, CheckIn,
)
from okr_core.progress_service import refresh_objective_chain
from okr_core.recount import recount
from okr_core.accounts import new_webhook_secret
from okr_core.rules import expected_progress
from okrsync import demo_data as data
from okrsync.demo_checkins import add_check_in, demo_value, skips
from okrsync.demo_work import linked_history

WEEKS = 8
DEMO_ADMIN_EMAIL = "ada@northwind.example"
# The demo site does not exist: nothing is scheduled against it and nothing is mirrored to it.
DEMO_CONNECTION_SETTINGS = {"demo": True, "reconcile_minutes": 0, "mirror_objectives": False,
                            "mirror_key_results": False}
DEMO_SITE = "https://northwind-demo.atlassian.net"


def current_quarter(today: date) -> tuple[str, date, date]:
    q = (today.month - 1) // 3
    start = date(today.year, 3 * q + 1, 1)
    end = (date(today.year + (q == 3), (3 * q + 3) % 12 + 1, 1)) - timedelta(days=1)
    return f"Q{q + 1} {today.year}", start, end


def load_demo(session: Session, now: datetime | None = None, force: bool = False,
              progress: Callable[[str], None] = lambda _: None,
              encrypt: Callable[[str], str] | None = None) -> str:
    """Load the demo into an empty store; refuses to mix it into real data unless forced.

    `encrypt` seals the demo connection's webhook secret (random, never shown: an admin rotates
    it in /admin to get one to paste); without it the connection refuses every delivery.
    """
    if session.scalar(select(func.count()).select_from(Objective)) and not force:
        return "the database already has objectives; nothing loaded (use --reset to add the demo)"
    now = now or datetime.now(timezone.utc)
    rng = random.Random(20261124)
    teams, users = _load_org(session)
    progress(f"teams: {len(teams)}, users: {len(users)}")
    name, start, end = current_quarter(now.date())
    cycle = Cycle(name=name, start_date=start, end_date=end, status=CycleStatus.ACTIVE)
    connection = Connection(tracker=TrackerKind.JIRA, name="Northwind Jira (demo)",
                            base_url=DEMO_SITE, settings=DEMO_CONNECTION_SETTINGS,
                            webhook_secret_encrypted=encrypt(new_webhook_secret()) if encrypt
                            else "")
    session.add_all([cycle, connection])
    session.flush()
    for team in teams.values():
        if team.kind == TeamKind.TEAM:
            team.home_connection_id = connection.id
    krs = _load_objectives(session, cycle, teams, users)
    progress(f"objectives: {len(data.OBJECTIVES)}, key results: {len(krs)}")
    for index, (kr, measure) in enumerate(krs):
        _history(session, rng, kr, measure, connection, users, now, index)
    for kr, _ in krs:
        refresh_objective_chain(session, kr.objective_id)
    progress(f"history: {WEEKS} weeks of check-ins and linked work")
    return (f"demo loaded: cycle {cycle.name} (id {cycle.id}), {len(data.OBJECTIVES)} objectives, "
            f"{len(krs)} key results, {len(users)} users")


def _load_org(session: Session) -> tuple[dict[str, Team], dict[str, User]]:
    company = Team(name=data.COMPANY, kind=TeamKind.COMPANY)
    teams = {data.COMPANY: company}
    for department, members in data.DEPARTMENTS.items():
        teams[department] = Team(name=department, kind=TeamKind.DEPARTMENT, parent=company)
        for team_name, project in members:
            teams[team_name] = Team(name=team_name, kind=TeamKind.TEAM,
                                    parent=teams[department], home_project=project)
    session.add_all(teams.values())
    users = {}
    for person, team_name, role in data.PEOPLE:
        email = person.split()[0].lower().replace("é", "e") + "@northwind.example"
        users[person] = User(name=person, email=email, role=Role(role),
                             team=teams[team_name or data.COMPANY])
    session.add_all(users.values())
    session.flush()
    return teams, users


def _load_objectives(session, cycle, teams, users) -> list[tuple[KeyResult, Measure]]:
    by_key: dict[str, Objective] = {}
    krs = []
    for key, title, level, team, owner, parent, kr_rows in data.OBJECTIVES:
        objective = Objective(cycle_id=cycle.id, title=title, level=Level(level),
                              team_id=teams[team].id, owner_id=users[owner].id,
                              parent_id=by_key[parent].id if parent else None,
                              description=f"{title}. Owned by {owner}.")
        session.add(objective)
        session.flush()
        by_key[key] = objective
        for number, (kr_title, measure, start, target, unit) in enumerate(kr_rows):
            kr = KeyResult(objective_id=objective.id, title=kr_title,
                           owner_id=_kr_owner(teams[team], users, owner, number).id,
                           start_value=start, target_value=target, unit=unit,
                           measure=Measure(measure), weight=1.0)
            session.add(kr)
            krs.append((kr, Measure(measure)))
    session.flush()
    return krs


def _kr_owner(team: Team, users: dict[str, User], objective_owner: str, number: int) -> User:
    """Each KR has its own owner: the team's people in turn (department and company objectives
    go to the leads below them), so check-ins come from many people, not the admin."""
    members = [u for u in users.values() if u.team is team]
    if len(members) < 2:
        members = [u for u in users.values() if u.role == Role.LEAD and u.team
                   and (u.team.parent is team or u.team is team)]
    members = members or [users[objective_owner]]
    return members[number % len(members)]


def _week_times(now: datetime) -> list[datetime]:
    return [now - timedelta(days=7 * (WEEKS - week)) for week in range(WEEKS)]


def _history(session, rng, kr, measure, connection, users, now, index) -> None:
    pace = rng.choice([0.35, 0.55, 0.75, 0.95, 1.05])
    cycle = _cycle_of(session, kr)
    team_names = _team_names(session, kr)
    if measure == Measure.MANUAL:
        _manual_history(session, rng, kr, cycle, now, pace, team_names)
    else:
        people = [u.name for u in users.values() if u.team and u.team.name in team_names]
        linked_history(session, rng, kr, measure, connection, now, pace, index,
                       _week_times(now)[:-1], people or [_owner_name(users, kr)], team_names)
        _linked_check_ins(session, rng, kr, cycle, now, team_names)
        recount(session, [kr.id], now)


def _owner_name(users: dict[str, User], kr: KeyResult) -> str:
    return next(user.name for user in users.values() if user.id == kr.owner_id)


def _cycle_of(session, kr) -> Cycle:
    return session.get(Cycle, session.get(Objective, kr.objective_id).cycle_id)


def _team_names(session, kr) -> list[str]:
    """The KR's team and the department above it: whose recurring blockers it meets."""
    team = session.get(Objective, kr.objective_id).team
    return [name for name in (team.name, team.parent.name if team.parent else None) if name]


def _manual_history(session, rng, kr, cycle, now, pace, team_names) -> None:
    span = kr.target_value - kr.start_value
    times = _week_times(now)
    for week, at in enumerate(times):
        share = min(1.1, pace * (week + 1) / 13 + rng.uniform(-0.03, 0.03))
        value = demo_value(kr, kr.start_value + span * max(0.0, share))
        kr.current_value = value
        session.add(ProgressSnapshot(key_result_id=kr.id, at=at, value=value,
                                     progress=(value - kr.start_value) / span))
        if not skips(rng, week, len(times)):
            add_check_in(session, rng, kr, at, value=value, share=max(0.0, share),
                         expected=expected_progress(cycle.start_date, cycle.end_date, at),
                         team_names=team_names)
    session.flush()
    kr.progress = (kr.current_value - kr.start_value) / span
    kr.last_progress_change_at = times[-1]
    recount(session, [kr.id], now)


def _linked_check_ins(session, rng, kr, cycle, now, team_names) -> None:
    """Every other week the owner confirms a status on work-measured KRs: no value, a note."""
    for week, at in enumerate(_week_times(now)):
        if week % 2 or skips(rng, week, WEEKS):
            continue
        share = (week + 1) / 13 * rng.uniform(0.5, 1.2)
        add_check_in(session, rng, kr, at, value=None, share=share,
                     expected=expected_progress(cycle.start_date, cycle.end_date, at),
                     team_names=team_names)
