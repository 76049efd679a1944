"""Scheduled insight, as the guide's best practices ask: a leadership analysis every Monday and a
deeper analysis (the company and every team with OKRs in the cycle) at the cycle's halfway point.

The scheduler's tick (RQ tick chain or embedded timer, sync/scheduler.py) calls `queue_due_insights`;
the store says whether this week's or this cycle's run already exists, so any number of ticks,
processes or restarts queue each run once.
"""
from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from okr_core.domain import CycleStatus
from okr_core.models import Analysis, Cycle, Objective
from plumbing.db import job_session
from sync.analysis.jobs import enqueue_analysis, queue_analysis

log = logging.getLogger("okrsync.analysis")
MONDAY = 0


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of now's week."""
    monday = now.date() - timedelta(days=now.weekday())
    return datetime.combine(monday, time.min, tzinfo=timezone.utc)


def halfway(cycle: Cycle) -> datetime:
    start = datetime.combine(cycle.start_date, time.min, tzinfo=timezone.utc)
    end = datetime.combine(cycle.end_date + timedelta(days=1), time.min, tzinfo=timezone.utc)
    return start + (end - start) / 2


def _asked_within(session, cycle_id: int, since: datetime, scopes: list[str]) -> set[str]:
    """Scopes with an analysis created in the week from `since`."""
    return set(session.scalars(select(Analysis.scope).where(
        Analysis.cycle_id == cycle_id, Analysis.created_at >= since,
        Analysis.created_at < since + timedelta(days=7), Analysis.scope.in_(scopes))))


def _team_scopes(session, cycle_id: int) -> list[str]:
    team_ids = session.scalars(select(Objective.team_id).where(
        Objective.cycle_id == cycle_id, Objective.team_id.is_not(None), Objective.archived.is_(False))
        .distinct().order_by(Objective.team_id))
    return [f"team:{team_id}" for team_id in team_ids]


def due_insights(session, now: datetime) -> list[tuple[int, str]]:
    """(cycle id, scope) of every scheduled analysis not yet run for its week or cycle."""
    due = []
    cycles = session.scalars(select(Cycle).where(Cycle.status == CycleStatus.ACTIVE).order_by(Cycle.id))
    for cycle in cycles:
        if now.weekday() == MONDAY and not _asked_within(session, cycle.id, week_start(now), ["company"]):
            due.append((cycle.id, "company"))
        middle = halfway(cycle)
        if middle <= now < middle + timedelta(days=7):
            teams = _team_scopes(session, cycle.id)
            done = _asked_within(session, cycle.id, middle, teams + ["company"])
            due += [(cycle.id, scope) for scope in ["company", *teams]
                    if scope not in done and (cycle.id, scope) not in due]
    return due


def queue_due_insights(now: datetime | None = None) -> list[int]:
    """Queue the due scheduled analyses; the ids of the analysis rows queued."""
    now = now or datetime.now(timezone.utc)
    with job_session() as session:
        rows = [queue_analysis(session, cycle_id, scope) for cycle_id, scope in due_insights(session, now)]
        for row in rows:
            row.created_at = now      # filed under the tick that found it due
        session.flush()
        ids = [row.id for row in rows]
    for analysis_id in ids:
        enqueue_analysis(analysis_id)
    if ids:
        log.info("analysis.scheduled", extra={"analysis_ids": ids})
    return ids
