"""The OKR tree of a cycle, loaded in a fixed number of statements whatever its size."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.models import KeyResult, Objective
from okr_core.visibility import Viewer, visible_objectives_clause


@dataclass
class ObjectiveBranch:
    objective: Objective
    key_results: list[KeyResult] = field(default_factory=list)
    children: list["ObjectiveBranch"] = field(default_factory=list)


def _selected(model, plain: bool) -> tuple:
    """The ORM entity, or (plain) its table's columns, read back as lightweight rows."""
    return tuple(model.__table__.c) if plain else (model,)


def load_visible(session: Session, cycle_id: int, viewer: Viewer,
                 team_ids: set[int] | None = None, *, plain: bool = False
                 ) -> tuple[list[Objective], list[KeyResult]]:
    """The cycle's objectives the viewer may see (optionally of some teams) and their KRs.

    plain=True returns read-only rows with the same attribute names instead of ORM objects,
    about 30% cheaper to load, for callers that only read columns (the API's tree).
    """
    run = session.execute if plain else session.scalars
    stmt = (select(*_selected(Objective, plain))
            .where(Objective.cycle_id == cycle_id, Objective.archived.is_(False),
                   visible_objectives_clause(viewer)).order_by(Objective.id))
    if team_ids is not None:
        stmt = stmt.where(Objective.team_id.in_(team_ids))
    objectives = run(stmt).all()
    ids = [o.id for o in objectives]
    krs = run(select(*_selected(KeyResult, plain)).where(KeyResult.objective_id.in_(ids))
              .order_by(KeyResult.id)).all() if ids else []
    return list(objectives), list(krs)


def assemble(objectives: list[Objective], krs: list[KeyResult]) -> list[ObjectiveBranch]:
    """Nest objectives under their parents; an objective whose parent is hidden becomes a root."""
    branches = {o.id: ObjectiveBranch(o) for o in objectives}
    for kr in krs:
        branches[kr.objective_id].key_results.append(kr)
    roots = []
    for branch in branches.values():
        parent = branches.get(branch.objective.parent_id)
        (parent.children if parent else roots).append(branch)
    return roots

