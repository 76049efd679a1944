"""Asking for an analysis: coalesced into the pending run of the same cycle and scope, and
limited per user (each run may be an LLM call)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from okr_core.models import Analysis
from sync.analysis.jobs import queue_analysis

RUNS_PER_WINDOW = 5
WINDOW = timedelta(minutes=10)


class TooManyAnalyses(Exception):
    """The user started RUNS_PER_WINDOW runs within WINDOW; `retry_after` seconds until the next."""

    def __init__(self, retry_after: int):
        super().__init__(f"at most {RUNS_PER_WINDOW} analyses per {WINDOW.seconds // 60} minutes; "
                         f"try again in {retry_after} seconds")
        self.retry_after = retry_after


def request_analysis(session: Session, cycle_id: int, key: str, user_id: int,
                     now: datetime) -> tuple[Analysis, bool]:
    """(the run, True when new): the queued run of this cycle and scope if there is one, else
    a new one unless `user_id` started too many lately (TooManyAnalyses)."""
    pending = session.scalars(select(Analysis).where(
        Analysis.cycle_id == cycle_id, Analysis.scope == key, Analysis.state == "queued")
        .order_by(Analysis.id.desc()).limit(1)).first()
    if pending is not None:
        return pending, False
    since = now - WINDOW
    recent = session.scalars(select(Analysis.created_at).where(
        Analysis.requested_by_id == user_id, Analysis.created_at >= since)
        .order_by(Analysis.created_at).limit(RUNS_PER_WINDOW)).all()
    if len(recent) >= RUNS_PER_WINDOW:
        raise TooManyAnalyses(max(1, int((recent[0] + WINDOW - now).total_seconds()) + 1))
    analysis = queue_analysis(session, cycle_id, key)
    analysis.requested_by_id = user_id
    return analysis, True
