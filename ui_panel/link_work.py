"""Link work from the KR page: pick Jira or Linear work, preview it live, unlink it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from ui_panel.signin import login_required
from okr_core.domain import LinkKind
from okr_core.models import Connection, WorkLink
from api.key_results import add_link, remove_link
from api.schemas import LinkCreate
from plumbing.db import request_session
from sync.ingest.link_preview import preview_link
from ui_panel.checkin_views import render_key_result_page, visible_key_result
from ui_panel.form_rules import act_as_api_caller, check_with_model, saved
from ui_panel.kr_pages import editable_kr, may_edit_kr
from ui_panel.link_context import LinkForm, work_context

bp = Blueprint("link_work", __name__)


def _kr_page(kr_id: int, form: LinkForm):
    return render_key_result_page(kr_id, link_form=form, status=422)


@bp.post("/key-results/<int:kr_id>/links")
@login_required()
def link(kr_id: int):
    kr, _objective = editable_kr(kr_id)
    form = LinkForm()
    form.offer(request_session())
    form.validate()
    act_as_api_caller()
    body = check_with_model(form, LinkCreate, form.api_body(), whole="ref")
    if body is None or not saved(form, lambda: add_link(kr, body), whole="ref"):
        return _kr_page(kr_id, form)
    flash("Work linked. Its issues are being fetched from the tracker.", "success")
    return redirect(url_for("checkins.key_result", kr_id=kr_id) + "#work-h")


@bp.post("/key-results/<int:kr_id>/links/preview")
@login_required()
def preview(kr_id: int):
    editable_kr(kr_id)
    form = LinkForm()
    form.offer(request_session())
    connection = request_session().get(Connection, form.connection_id.data or 0)
    error = None
    if connection is None:
        error = "Pick a tracker connection."
    elif not (form.ref.data or "").strip():
        error = "Type a key, id, name or query to preview."
    elif form.kind.data not in {k.value for k in LinkKind}:
        error = "Pick what to link."
    result = None
    if error is None:
        # No store transaction stays open across the tracker's answer: on SQLite it would hold
        # the write lock that the connector needs to cache what it learns about the site.
        request_session().expunge(connection)
        request_session().commit()
        result = preview_link(connection, LinkKind(form.kind.data), form.ref.data.strip())
    return render_template("workspace/_link_preview.html", result=result, error=error)


@bp.get("/key-results/<int:kr_id>/linked-items")
@login_required()
def linked_items(kr_id: int):
    """The linked items section alone (htmx polls it while a new link resolves)."""
    kr, objective = visible_key_result(kr_id)
    return render_template("workspace/_linked_items.html", kr=kr,
                           may_edit=may_edit_kr(kr, objective), **work_context(kr))


@bp.post("/links/<int:link_id>/unlink")
@login_required()
def unlink(link_id: int):
    work_link = request_session().get(WorkLink, link_id)
    if work_link is None:
        abort(404)
    kr, objective = editable_kr(work_link.key_result_id)
    act_as_api_caller()
    remove_link(work_link, kr, objective)
    flash("Work unlinked; the key result is recounted.", "success")
    return redirect(url_for("checkins.key_result", kr_id=kr.id) + "#work-h")
