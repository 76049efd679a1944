"""The dashboard at `/`: Company, Team and My OKRs, and the cross-team report, per cycle."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from ui_panel.signin import current_web_user, current_web_viewer, login_required
from okr_core.models import Team, utcnow
from okr_core.visibility import descendants, team_parents
from plumbing.db import request_session
from ui_panel.analysis_views import analysis_in_progress
from ui_panel.loading import (
    choose_cycle, latest_analysis, list_cycles, load_cycle_view,
)
from ui_panel.owner_close import owner_final_values
from ui_panel.reports import summarise_by_team

bp = Blueprint("dashboard", __name__)
# Above this many objectives a view shows its top level and loads branches on demand, so
# the page stays small (bench/dashboard.py: 300 objectives and 1,000 KRs).
EXPANDED_OBJECTIVES = 50


def _expanded_objectives() -> int:
    return current_app.config.get("DASHBOARD_EXPANDED_OBJECTIVES", EXPANDED_OBJECTIVES)


def _selected_cycle():
    """All cycles and the one asked for by `?cycle=` (or the current one)."""
    cycles = list_cycles(request_session())
    return cycles, choose_cycle(cycles, request.args.get("cycle", type=int))


def _render(template: str, section: str, scope: str | None, **context):
    cycles, cycle = _selected_cycle()
    view = analysis = running = None
    load, extra = context.pop("load"), context.pop("extra", None)
    if cycle is not None:
        view = load(cycle)
        context.update(extra(cycle) if extra else {})
        analysis = latest_analysis(request_session(), cycle.id, scope,
                                   current_web_viewer()) if scope else None
        running = analysis_in_progress(cycle, scope, analysis) if scope else None
    return render_template(template, section=section, cycles=cycles, cycle=cycle, view=view,
                           analysis=analysis, analysis_scope=scope, analysis_running=running,
                           user=current_web_user(), **context)


@bp.get("/")
@login_required()
def index():
    viewer = current_web_viewer()
    return _render("dashboard/tree_page.html", "company", "company",
                   heading="Company OKRs",
                   load=lambda cycle: load_cycle_view(request_session(), cycle, viewer,
                                                      expand_up_to=_expanded_objectives()))


@bp.get("/teams")
@login_required()
def my_team():
    team_id = current_web_user().team_id or request_session().scalar(
        select(Team.id).order_by(Team.id).limit(1))
    if team_id is None:  # an instance without teams yet
        return render_template("workspace/no_teams.html", section="team", cycle=None,
                               user=current_web_user())
    return redirect(url_for("dashboard.team", team_id=team_id, **request.args))


@bp.get("/teams/<int:team_id>")
@login_required()
def team(team_id: int):
    session = request_session()
    chosen = session.get(Team, team_id)
    if chosen is None:
        abort(404)
    team_ids = descendants(team_parents(session), team_id)
    viewer = current_web_viewer()
    teams = session.scalars(select(Team).order_by(Team.name)).all()
    return _render("dashboard/tree_page.html", "team", f"team:{team_id}",
                   heading=f"{chosen.name} OKRs", team=chosen, teams=teams,
                   load=lambda cycle: load_cycle_view(session, cycle, viewer, team_ids,
                                                      expand_up_to=_expanded_objectives()))


@bp.get("/mine")
@login_required()
def mine():
    user = current_web_user()
    viewer = current_web_viewer()
    return _render("dashboard/tree_page.html", "mine", f"user:{user.id}", heading="My OKRs",
                   load=lambda cycle: load_cycle_view(request_session(), cycle, viewer,
                                                      expand_up_to=_expanded_objectives(),
                                                      owned_by=user.id),
                   extra=lambda cycle: owner_final_values(cycle, viewer))


@bp.get("/reports")
@login_required()
def reports():
    viewer = current_web_viewer()

    def load(cycle):
        view = load_cycle_view(request_session(), cycle, viewer, with_series=False)
        view.summary = summarise_by_team(view.objectives, view.key_results, view.teams, cycle,
                                         utcnow())
        return view

    return _render("dashboard/reports.html", "reports", "company", heading="Reports", load=load)
