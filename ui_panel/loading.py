"""What a dashboard page shows, loaded in a fixed number of statements whatever the cycle's size."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.analysis.latest import latest_visible_analysis
from okr_core.analysis.scope import parse_scope
from okr_core.domain import CycleStatus
from okr_core.models import (
    Cycle, KeyResult, Objective, ProgressSnapshot, Team, User,
)
from okr_core.rules import is_cycle_writable
from okr_core.tree import (
    ObjectiveBranch, assemble, load_key_results, load_visible_objectives,
)
from okr_core.visibility import Viewer, visible_objectives_clause


# What a collapsed view reads of each key result: enough to count, group and colour them.
KR_SUMMARY = (KeyResult.id, KeyResult.objective_id, KeyResult.owner_id, KeyResult.status)


@dataclass
class CycleView:
    """The visible OKR tree of one cycle and everything its template looks up."""

    cycle: Cycle
    roots: list[ObjectiveBranch]
    objectives: list[Objective]
    key_results: list[KeyResult]
    people: dict[int, str] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)
    series: dict[int, list[tuple[datetime, float | None]]] = field(default_factory=dict)
    summary: list = field(default_factory=list)  # per-team rows, on the report page only
    collapsed: bool = False  # large trees show their top level; branches load on demand

    @property
    def writable(self) -> bool:
        """Objectives and key results of this cycle may still be added and changed."""
        return is_cycle_writable(self.cycle.status)


def list_cycles(session: Session) -> list[Cycle]:
    return list(session.scalars(select(Cycle).order_by(Cycle.start_date.desc(), Cycle.id.desc())))


def choose_cycle(cycles: list[Cycle], wanted: int | None) -> Cycle | None:
    """The asked-for cycle, else the newest active one, else the newest of all."""
    by_id = {c.id: c for c in cycles}
    if wanted in by_id:
        return by_id[wanted]
    active = [c for c in cycles if c.status == CycleStatus.ACTIVE]
    return (active or cycles or [None])[0]


def load_cycle_view(session: Session, cycle: Cycle, viewer: Viewer,
                    team_ids: set[int] | None = None, with_series: bool = True,
                    expand_up_to: int | None = None, owned_by: int | None = None) -> CycleView:
    """Objectives, KRs, team and owner names and (optionally) trend series: five statements.

    With more than `expand_up_to` objectives the view is collapsed: it shows the top level
    only, so it reads a few columns of each KR and no trend series (the statements still run,
    so the count stays flat). With `owned_by` (My OKRs) it keeps, in SQL, the objectives that
    user owns or owns a key result of, with all their KRs and only those KRs' trends.
    """
    # Read-only rows, not ORM objects: pages only read columns, and rows load faster.
    objectives = load_visible_objectives(session, cycle.id, viewer, team_ids, plain=True,
                                         owned_by=owned_by)
    collapsed = expand_up_to is not None and len(objectives) > expand_up_to
    krs = load_key_results(session, [o.id for o in objectives], plain=True,
                           columns=KR_SUMMARY if collapsed else None)
    view = CycleView(cycle, assemble(objectives, krs), objectives, krs, collapsed=collapsed)
    view.teams = dict(session.execute(select(Team.id, Team.name)).all())
    owner_ids = {o.owner_id for o in objectives} | {k.owner_id for k in krs}
    owner_ids.discard(None)
    # Both statements run even when empty, so every page costs the same number of statements.
    view.people = dict(session.execute(
        select(User.id, User.name).where(User.id.in_(sorted(owner_ids)))).all())
    if with_series:
        shown = [k.id for k in krs] if owned_by is not None else None
        view.series = load_series(session, cycle.id, viewer, team_ids,
                                  only=[] if view.collapsed else shown)
    return view


def load_series(session: Session, cycle_id: int, viewer: Viewer,
                team_ids: set[int] | None = None, only: list[int] | None = None
                ) -> dict[int, list[tuple[datetime, float | None]]]:
    """Every visible KR's snapshots (or those of the KR ids `only`) in one statement."""
    visible_krs = (select(KeyResult.id).join(Objective, Objective.id == KeyResult.objective_id)
                   .where(Objective.cycle_id == cycle_id, Objective.archived.is_(False),
                          visible_objectives_clause(viewer)))
    if team_ids is not None:
        visible_krs = visible_krs.where(Objective.team_id.in_(team_ids))
    if only is not None:
        visible_krs = visible_krs.where(KeyResult.id.in_(only))
    rows = session.execute(
        select(ProgressSnapshot.key_result_id, ProgressSnapshot.at, ProgressSnapshot.progress)
        .where(ProgressSnapshot.key_result_id.in_(visible_krs))
        .order_by(ProgressSnapshot.key_result_id, ProgressSnapshot.at, ProgressSnapshot.id))
    series: dict[int, list[tuple[datetime, float | None]]] = {}
    for kr_id, at, progress in rows:
        series.setdefault(kr_id, []).append((at, progress))
    return series


def latest_analysis(session: Session, cycle_id: int, scope: str, viewer: Viewer):
    """The newest finished analysis of this cycle and scope that the viewer may read, or None."""
    return latest_visible_analysis(session, cycle_id, parse_scope(scope), viewer)
