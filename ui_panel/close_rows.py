"""The close page's rows: one page of objectives (or the viewer's own key results) with their
scores, and what each KR's owner entered since an admin started closing the cycle."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from okr_core.domain import Measure
from okr_core.models import CheckIn, Cycle, KeyResult, Objective, User
from okr_core.rules import is_cycle_writable
from okr_core.tree import load_key_results, load_visible_objectives
from okr_core.visibility import Viewer, visible_objectives_clause
from ui_panel.scores import ScoredObjective, score_rows

# Objectives per page: a cycle of 300 objectives and 1,000 KRs stays a small page
# (bench/dashboard.py measures it).
OBJECTIVES_PER_PAGE = 25


@dataclass(frozen=True)
class OwnerEntry:
    """The latest final value a KR got since closing started: by whom, when, with which note."""
    value: float
    author: str
    at: datetime
    note: str


@dataclass
class ClosePage:
    rows: list[ScoredObjective]
    key_results: list[KeyResult]
    objectives: list[Objective]
    page: int
    pages: int
    mine: bool
    entries: dict[int, OwnerEntry] = field(default_factory=dict)


def load_close_page(session, cycle: Cycle, viewer: Viewer, *, mine: bool, page: int,
                    final_values: dict[int, float] | None = None,
                    per_page: int | None = None) -> ClosePage:
    """One page of the close table: every visible objective, or those holding the viewer's KRs."""
    per_page = per_page or OBJECTIVES_PER_PAGE
    objectives = load_visible_objectives(session, cycle.id, viewer,
                                         owned_by=viewer.user_id if mine else None)
    if mine:
        krs = _owned_key_results(session, cycle, viewer)
        owning = {kr.objective_id for kr in krs}
        objectives = [o for o in objectives if o.id in owning]
    pages = max(1, math.ceil(len(objectives) / per_page))
    page = min(max(page, 1), pages)
    shown = objectives[(page - 1) * per_page:page * per_page]
    shown_ids = {o.id for o in shown}
    if mine:
        krs = [kr for kr in krs if kr.objective_id in shown_ids]
    else:
        krs = load_key_results(session, [o.id for o in shown])
    rows = score_rows(shown, krs, final=not is_cycle_writable(cycle.status),
                      final_values=final_values)
    entries = owner_entries(session, cycle, [kr.id for kr in krs])
    return ClosePage(rows, krs, shown, page, pages, mine, entries)


def _owned_key_results(session, cycle: Cycle, viewer: Viewer) -> list[KeyResult]:
    """The viewer's own KRs on the cycle's visible objectives (one statement, filtered in SQL)."""
    return list(session.scalars(
        select(KeyResult).join(Objective, Objective.id == KeyResult.objective_id)
        .where(Objective.cycle_id == cycle.id, Objective.archived.is_(False),
               visible_objectives_clause(viewer), KeyResult.owner_id == viewer.user_id)
        .order_by(KeyResult.id)).all())


def owner_entries(session, cycle: Cycle, kr_ids: list[int]) -> dict[int, OwnerEntry]:
    """Per KR, the newest value recorded since closing started (one statement; none before)."""
    if cycle.close_started_at is None or not kr_ids:
        return {}
    rows = session.execute(
        select(CheckIn.key_result_id, CheckIn.value, CheckIn.note, CheckIn.created_at,
               User.name)
        .outerjoin(User, User.id == CheckIn.author_id)
        .where(CheckIn.key_result_id.in_(kr_ids), CheckIn.value.is_not(None),
               CheckIn.created_at >= cycle.close_started_at)
        .order_by(CheckIn.created_at, CheckIn.id)).all()
    return {kr_id: OwnerEntry(value, name or "someone no longer here", at, note)
            for kr_id, value, note, at, name in rows}


def entered_count(session, cycle: Cycle) -> tuple[int, int]:
    """(manual KRs with a value entered since closing started, manual KRs) in the cycle."""
    manual = (select(KeyResult.id).join(Objective, Objective.id == KeyResult.objective_id)
              .where(Objective.cycle_id == cycle.id, Objective.archived.is_(False),
                     KeyResult.measure == Measure.MANUAL))
    entered = select(func.count(func.distinct(CheckIn.key_result_id))).where(
        CheckIn.key_result_id.in_(manual), CheckIn.value.is_not(None),
        CheckIn.created_at >= cycle.close_started_at)
    total = select(func.count()).select_from(manual.subquery())
    return session.scalar(entered), session.scalar(total)
