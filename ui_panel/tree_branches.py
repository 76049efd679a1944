"""One branch of a collapsed OKR tree: an objective's key results and aligned objectives."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from ui_panel.signin import current_web_user, current_web_viewer, login_required
from okr_core.models import Cycle, KeyResult, Objective, Team, User
from okr_core.tree import ObjectiveBranch
from okr_core.visibility import can_see, visible_objectives_clause
from plumbing.db import request_session
from ui_panel.loading import CycleView, load_series


def load_branch(session, objective: Objective, viewer) -> tuple[ObjectiveBranch, CycleView]:
    """The objective's KRs (with trends) and its visible children, each collapsed in turn."""
    cycle = session.get(Cycle, objective.cycle_id)
    children = session.scalars(select(Objective).where(
        Objective.parent_id == objective.id, Objective.archived.is_(False),
        visible_objectives_clause(viewer)).order_by(Objective.id)).all()
    grandchildren = set(session.scalars(select(Objective.parent_id).where(
        Objective.parent_id.in_([c.id for c in children]), Objective.archived.is_(False),
        visible_objectives_clause(viewer))).all())
    krs = session.scalars(select(KeyResult).where(
        KeyResult.objective_id.in_([objective.id, *(c.id for c in children)]))
        .order_by(KeyResult.id)).all()
    branch = ObjectiveBranch(objective, [k for k in krs if k.objective_id == objective.id])
    for child in children:
        # A child's branch holds its KRs and, as a marker for the toggle, its own children.
        child_branch = ObjectiveBranch(child, [k for k in krs if k.objective_id == child.id])
        child_branch.children = [None] if child.id in grandchildren else []
        branch.children.append(child_branch)
    view = CycleView(cycle, [branch], [objective, *children], list(krs), collapsed=True)
    owners = {o.owner_id for o in view.objectives} | {k.owner_id for k in krs}
    view.people = dict(session.execute(select(User.id, User.name).where(
        User.id.in_([i for i in owners if i]))).all())
    view.teams = dict(session.execute(select(Team.id, Team.name)).all())
    view.series = load_series(session, cycle.id, viewer, only=[k.id for k in branch.key_results])
    return branch, view


bp = Blueprint("tree_branches", __name__)


@bp.get("/objectives/<int:objective_id>/branch")
@login_required()
def branch(objective_id: int):
    """The expanded branch (htmx swaps it in for the objective's "Show" link)."""
    objective = request_session().get(Objective, objective_id)
    if objective is None or not can_see(current_web_viewer(), objective):
        abort(404)
    loaded, view = load_branch(request_session(), objective, current_web_viewer())
    return render_template("workspace/_branch.html", branch=loaded, view=view,
                           user=current_web_user())
