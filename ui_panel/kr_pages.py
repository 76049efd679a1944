"""Key results in the browser: Add Key Result, edit, delete, and the guide's warnings as you type."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from ui_panel.signin import current_web_user, current_web_viewer, login_required
from okr_core.models import Cycle, KeyResult, Objective
from okr_core.rules import is_cycle_writable
from okr_core.rules.practices import (
    KeyResultFacts, ObjectiveFacts, key_result_count_warnings, key_result_shape_warnings,
)
from okr_core.visibility import can_edit
from api.key_results import add_key_result, change_key_result, remove_key_result
from api.schemas import KeyResultCreate, KeyResultPatch
from plumbing.db import request_session
from ui_panel.form_rules import act_as_api_caller, checked_form, saved
from ui_panel.kr_forms import KeyResultForm
from ui_panel.objective_pages import editable_objective_or_403, visible_objective_or_404

bp = Blueprint("kr_pages", __name__)


def may_edit_kr(kr: KeyResult, objective: Objective) -> bool:
    """Admins, the objective's editors and the KR's owner change it while its cycle is open."""
    return (can_edit(current_web_viewer(), objective) or kr.owner_id == current_web_user().id) \
        and is_cycle_writable(request_session().get(Cycle, objective.cycle_id).status)


def editable_kr(kr_id: int) -> tuple[KeyResult, Objective]:
    kr = request_session().get(KeyResult, kr_id)
    if kr is None:
        abort(404)
    objective = visible_objective_or_404(kr.objective_id)
    if not (can_edit(current_web_viewer(), objective) or kr.owner_id == current_web_user().id):
        abort(403)
    if not is_cycle_writable(request_session().get(Cycle, objective.cycle_id).status):
        abort(409)
    return kr, objective


def warnings_for(objective: Objective, title: str, target, editing_id: int | None) -> list[str]:
    """The guide's best-practice warnings for this key result and its objective's KR count."""
    others = request_session().scalar(select(func.count()).select_from(KeyResult).where(
        KeyResult.objective_id == objective.id, KeyResult.id != (editing_id or 0)))
    ids = tuple(range(others + 1))
    facts = ObjectiveFacts(objective.id, objective.team_id, objective.level, objective.title, ids)
    found = key_result_count_warnings([facts]) if others + 1 > 5 else []
    if title.strip():
        found += key_result_shape_warnings([KeyResultFacts(0, title.strip(), target)])
    return [w.message for w in found]


def _form_page(form, objective: Objective, editing: KeyResult | None):
    status = 422 if request.method == "POST" else 200
    warnings = warnings_for(objective, form.title.data or "", form.target_value.data,
                            editing.id if editing else None) if form.title.data else []
    return render_template("workspace/kr_form.html", form=form, objective=objective,
                           editing=editing, warnings=warnings, section="company",
                           user=current_web_user()), status


@bp.route("/objectives/<int:objective_id>/key-results/new", methods=["GET", "POST"])
@login_required()
def new(objective_id: int):
    objective = editable_objective_or_403(objective_id)
    form = KeyResultForm()
    form.offer(request_session())
    if not form.is_submitted():
        return _form_page(form, objective, None)
    body = checked_form(form, KeyResultCreate, {"objective_id": objective.id})
    if body is not None and body.owner_id is None:
        body = body.model_copy(update={"owner_id": objective.owner_id})
    if body is None or not saved(form, lambda: add_key_result(body)):
        return _form_page(form, objective, None)
    flash("Key result added.", "success")
    return redirect(url_for("objective_pages.show", objective_id=objective.id))


@bp.route("/key-results/<int:kr_id>/edit", methods=["GET", "POST"])
@login_required()
def edit(kr_id: int):
    kr, objective = editable_kr(kr_id)
    form = KeyResultForm(obj=kr) if request.method == "GET" else KeyResultForm()
    if request.method == "GET":
        form.owner_id.data = str(kr.owner_id or "")
    form.offer(request_session())
    if not form.is_submitted():
        return _form_page(form, objective, kr)
    body = checked_form(form, KeyResultPatch, {})
    if body is None or not saved(form, lambda: change_key_result(
            kr, objective, body.model_dump(exclude_unset=True))):
        return _form_page(form, objective, request_session().get(KeyResult, kr_id))
    flash("Key result saved.", "success")
    return redirect(url_for("checkins.key_result", kr_id=kr.id))


@bp.route("/key-results/<int:kr_id>/delete", methods=["GET", "POST"])
@login_required()
def delete(kr_id: int):
    kr, objective = editable_kr(kr_id)
    objective = editable_objective_or_403(objective.id)
    if request.method == "GET":
        return render_template("workspace/kr_delete.html", kr=kr, objective=objective,
                               section="company", user=current_web_user())
    act_as_api_caller()
    remove_key_result(kr, objective)
    flash(f"Key result “{kr.title}” is deleted.", "success")
    return redirect(url_for("objective_pages.show", objective_id=objective.id))


@bp.post("/objectives/<int:objective_id>/key-results/warnings")
@login_required()
def warnings(objective_id: int):
    """The warnings for what is typed so far (htmx replaces the warnings box with them)."""
    objective = visible_objective_or_404(objective_id)
    form = KeyResultForm()
    form.validate()
    editing = request.args.get("editing", type=int)
    found = warnings_for(objective, form.title.data or "", form.target_value.data, editing)
    return render_template("workspace/_kr_warnings.html", warnings=found)
