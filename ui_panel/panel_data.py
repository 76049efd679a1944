"""The data behind embedded views: the KRs an issue moves, a team's tree in the current cycle."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.models import KeyResult, LinkItem, Objective, WorkItem, WorkLink
from okr_core.visibility import Viewer, descendants, team_parents, visible_objectives_clause
from ui_panel.loading import CycleView, choose_cycle, list_cycles, load_cycle_view


def find_issue(session: Session, connection_ids: list[int], issue_key: str) -> WorkItem | None:
    """The stored work item with this key (or external id) in one of the connections."""
    return session.scalars(select(WorkItem).where(
        WorkItem.connection_id.in_(connection_ids), WorkItem.deleted.is_(False),
        (WorkItem.key == issue_key) | (WorkItem.external_id == issue_key))
        .order_by(WorkItem.id).limit(1)).first()


def issue_key_results(session: Session, viewer: Viewer,
                      item: WorkItem) -> list[tuple[KeyResult, Objective]]:
    """KRs whose links match this item (WorkItem -> LinkItem -> WorkLink -> KR), visible only."""
    rows = session.execute(
        select(KeyResult, Objective)
        .join(Objective, Objective.id == KeyResult.objective_id)
        .where(KeyResult.id.in_(
            select(WorkLink.key_result_id).join(LinkItem, LinkItem.work_link_id == WorkLink.id)
            .where(LinkItem.work_item_id == item.id)),
            Objective.archived.is_(False), visible_objectives_clause(viewer))
        .order_by(KeyResult.id)).all()
    return [(kr, objective) for kr, objective in rows]


def team_view(session: Session, viewer: Viewer, team_ids: set[int],
              cycle_id: int | None = None) -> CycleView | None:
    """The teams' (and their sub-teams') visible tree in the chosen or current cycle."""
    cycle = choose_cycle(list_cycles(session), cycle_id)
    if cycle is None:
        return None
    parents = team_parents(session)
    with_subteams = set().union(*(descendants(parents, t) for t in team_ids)) if team_ids else set()
    return load_cycle_view(session, cycle, viewer, with_subteams)
