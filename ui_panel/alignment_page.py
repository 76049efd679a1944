"""The alignment map of a cycle: company -> department -> team -> individual, filterable."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ui_panel.signin import current_web_user, current_web_viewer, login_required
from okr_core.domain import KRStatus, Level
from okr_core.models import Team, User
from okr_core.tree import assemble
from plumbing.db import request_session
from ui_panel.loading import choose_cycle, list_cycles, load_cycle_view

bp = Blueprint("alignment", __name__)
WORST_FIRST = (KRStatus.OFF_TRACK, KRStatus.AT_RISK, KRStatus.ON_TRACK)


def objective_statuses(krs) -> dict[int, str]:
    """Each objective's status: its worst key result's (off track before at risk before on)."""
    statuses: dict[int, set[str]] = {}
    for kr in krs:
        statuses.setdefault(kr.objective_id, set()).add(str(kr.status))
    return {oid: next(s.value for s in WORST_FIRST if s.value in found)
            for oid, found in statuses.items()}


def filtered(objectives, statuses: dict[int, str], team_id, owner_id, status):
    """The objectives matching every filter given, with their ancestors kept for context."""
    by_id = {o.id: o for o in objectives}
    matched = {o.id for o in objectives
               if (team_id is None or o.team_id == team_id)
               and (owner_id is None or o.owner_id == owner_id)
               and (not status or statuses.get(o.id) == status)}
    keep = set(matched)
    for oid in matched:
        parent = by_id[oid].parent_id
        while parent in by_id and parent not in keep:
            keep.add(parent)
            parent = by_id[parent].parent_id
    return [o for o in objectives if o.id in keep], matched


def orphans(objectives) -> list:
    """Objectives below company level that support no visible objective."""
    ids = {o.id for o in objectives}
    return [o for o in objectives if o.level != Level.COMPANY and o.parent_id not in ids]


@bp.get("/alignment")
@login_required()
def alignment():
    session = request_session()
    cycles = list_cycles(session)
    cycle = choose_cycle(cycles, request.args.get("cycle", type=int))
    team_id = request.args.get("team", type=int)
    owner_id = request.args.get("owner", type=int)
    status = request.args.get("status") if request.args.get("status") in {
        s.value for s in KRStatus} else ""
    context = {"cycles": cycles, "cycle": cycle, "section": "alignment",
               "user": current_web_user(), "filters": {"team": team_id, "owner": owner_id,
                                                       "status": status},
               "teams": session.execute(select(Team.id, Team.name).order_by(Team.name)).all(),
               "people": session.execute(select(User.id, User.name).where(User.active.is_(True))
                                         .order_by(User.name)).all()}
    if cycle is not None:
        # Collapsed: the map needs each KR's objective and status only.
        view = load_cycle_view(session, cycle, current_web_viewer(), with_series=False,
                               expand_up_to=0)
        statuses = objective_statuses(view.key_results)
        kept, matched = filtered(view.objectives, statuses, team_id, owner_id, status)
        context.update(view=view, roots=assemble(kept, []), matched=matched, statuses=statuses,
                       orphans=orphans(view.objectives),
                       kr_counts=_kr_counts(view.key_results))
    return render_template("workspace/alignment.html", **context)


def _kr_counts(krs) -> dict[int, int]:
    counts: dict[int, int] = {}
    for kr in krs:
        counts[kr.objective_id] = counts.get(kr.objective_id, 0) + 1
    return counts
