"""Who may see and change which OKRs.

public + published: everyone. team (or public but unpublished): members of the objective's team
and of its sub-teams, leads of the team or a parent team, the owner. private: the owner.
Admins see and change everything.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import Session

from okr_core.domain import Role, Visibility
from okr_core.models import Objective, Team


@dataclass(frozen=True)
class Viewer:
    user_id: int
    role: Role
    team_id: int | None
    member_of: frozenset[int]   # the viewer's team and every team above it
    leads: frozenset[int]       # teams a lead answers for: their team and every team below it

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def team_parents(session: Session) -> dict[int, int | None]:
    return dict(session.execute(select(Team.id, Team.parent_id)).all())


def ancestors(parents: dict[int, int | None], team_id: int | None) -> set[int]:
    seen: set[int] = set()
    while team_id is not None and team_id not in seen:
        seen.add(team_id)
        team_id = parents.get(team_id)
    return seen


def descendants(parents: dict[int, int | None], team_id: int | None) -> set[int]:
    if team_id is None:
        return set()
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found, stack = {team_id}, [team_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def make_viewer(session: Session, user) -> Viewer:
    parents = team_parents(session)
    leads = descendants(parents, user.team_id) if user.role in (Role.LEAD, Role.ADMIN) else set()
    return Viewer(user.id, user.role, user.team_id,
                  frozenset(ancestors(parents, user.team_id)), frozenset(leads))


def visible_objectives_clause(viewer: Viewer):
    """A WHERE clause on Objective that keeps only what `viewer` may see."""
    if viewer.is_admin:
        return true()
    team_ids = viewer.member_of | viewer.leads
    in_team = Objective.team_id.in_(team_ids) if team_ids else false()
    return or_(
        and_(Objective.visibility == Visibility.PUBLIC, Objective.published.is_(True)),
        Objective.owner_id == viewer.user_id,
        and_(Objective.visibility != Visibility.PRIVATE, in_team),
    )


def visible_ids(session: Session, viewer: Viewer, ids) -> set[int]:
    """Which of these objective ids exist and are visible to `viewer`: always one statement."""
    wanted = {i for i in ids if i is not None}
    return set(session.scalars(select(Objective.id).where(
        Objective.id.in_(wanted), visible_objectives_clause(viewer))).all())


def can_see(viewer: Viewer, objective: Objective) -> bool:
    if viewer.is_admin or objective.owner_id == viewer.user_id:
        return True
    if objective.visibility == Visibility.PUBLIC and objective.published:
        return True
    if objective.visibility == Visibility.PRIVATE:
        return False
    return objective.team_id in (viewer.member_of | viewer.leads)


def can_edit(viewer: Viewer, objective: Objective) -> bool:
    """Admins, the owner, and leads of the objective's team or a team above it."""
    if viewer.is_admin or objective.owner_id == viewer.user_id:
        return True
    return viewer.role == Role.LEAD and objective.team_id in viewer.leads and can_see(viewer, objective)


def can_check_in(viewer: Viewer, objective: Objective, kr_owner_id: int | None) -> bool:
    """Editors, the KR's owner and members of the objective's team record check-ins."""
    if can_edit(viewer, objective) or kr_owner_id == viewer.user_id:
        return True
    return objective.team_id is not None and objective.team_id == viewer.team_id \
        and can_see(viewer, objective)
