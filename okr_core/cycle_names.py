"""One name per period: a cycle may not share its name with another whose dates overlap it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.models import Cycle
from okr_core.rules.cycles import same_cycle_name


def clashing_cycle(session: Session, name: str, start: date, end: date,
                   exclude_id: int | None = None) -> Cycle | None:
    """Another cycle of the same name whose dates overlap start..end, or None."""
    overlapping = session.scalars(select(Cycle).where(
        Cycle.start_date <= end, Cycle.end_date >= start).order_by(Cycle.id))
    return next((c for c in overlapping
                 if c.id != exclude_id and same_cycle_name(c.name, name)), None)
