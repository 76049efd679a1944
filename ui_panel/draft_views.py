"""Drafted check-ins in the browser: review, edit and approve in one click (My OKRs, the KR page,
the embedded panel), undo for ten minutes, and what the signed-in person owes this week.

Approving and undoing reuse the REST API's operations (api/check_in_drafts.py)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from api.check_in_drafts import approve_draft, drafts_query, undo_check_in
from api.errors import ApiError
from api.schemas import DraftApprove
from okr_core.checkin_drafts.approval import UNDO_WINDOW
from okr_core.checkin_drafts.compose import STATUS_WORDS
from okr_core.checkin_drafts.owed import what_i_owe
from okr_core.domain import Measure
from okr_core.models import CheckInDraft, KeyResult, utcnow
from plumbing.db import request_session
from ui_panel.checkin_form import CheckInForm
from ui_panel.signin import current_web_user, login_required

bp = Blueprint("drafts", __name__)
BLOCKER_KINDS = {"dependency": "waiting on other work", "person": "waiting on a person",
                 "external": "outside the company", "resource": "capacity or access",
                 "technical": "tooling or tech debt"}


def draft_form(draft: CheckInDraft, formdata=None) -> CheckInForm:
    """The check-in form filled with the draft (prefixed: several drafts share a page)."""
    data = {"value": draft.value, "status": draft.suggested_status or "",
            "confidence": draft.suggested_confidence, "note": draft.note,
            "blockers": "\n".join(f"{b['key']}: {b['phrase']}" for b in draft.blockers), "wins": ""}
    return CheckInForm(formdata=formdata, prefix=f"d{draft.id}", data=data)


def review_context(user_id: int) -> dict:
    """Everything the draft includes show: the person's drafts with forms, what they owe."""
    session = request_session()
    drafts = session.scalars(drafts_query(user_id, utcnow() - UNDO_WINDOW)).all()
    krs = {kr.id: kr for kr in session.scalars(select(KeyResult).where(
        KeyResult.id.in_([d.key_result_id for d in drafts])))}
    return {"drafts": [(d, krs[d.key_result_id], draft_form(d)) for d in drafts],
            "owed": what_i_owe(session, user_id, utcnow())}


def kr_draft(kr_id: int):
    """The signed-in owner's newest draft of this KR (waiting, or still undoable), with its form."""
    user = current_web_user()
    if user is None:
        return None
    session = request_session()
    draft = session.scalars(drafts_query(user.id, utcnow() - UNDO_WINDOW)
                            .where(CheckInDraft.key_result_id == kr_id)).first()
    return (draft, session.get(KeyResult, kr_id), draft_form(draft)) if draft else None


def _back() -> str:
    """Where to go after approving or undoing: the page it was done on (same site only)."""
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else url_for("dashboard.mine")


def _body(form: CheckInForm, kr: KeyResult) -> DraftApprove:
    fields = form.fields_for_core()
    return DraftApprove(value=fields.value if kr.measure == Measure.MANUAL else None,
                        status=str(fields.status) if fields.status else None,
                        confidence=fields.confidence, note=fields.note, blockers=fields.blockers,
                        wins=fields.wins)


def _own_draft(draft_id: int) -> CheckInDraft:
    draft = request_session().get(CheckInDraft, draft_id)
    if draft is None or draft.owner_id != current_web_user().id:
        abort(404)
    return draft


@bp.get("/check-in-drafts/<int:draft_id>")
@login_required()
def review(draft_id: int):
    draft = _own_draft(draft_id)
    kr = request_session().get(KeyResult, draft.key_result_id)
    return render_template("checkins/draft_page.html", draft=draft, kr=kr, form=draft_form(draft),
                           section="mine", cycle=None, user=current_web_user())


@bp.post("/check-in-drafts/<int:draft_id>/approve")
@login_required()
def approve(draft_id: int):
    draft = _own_draft(draft_id)
    kr = request_session().get(KeyResult, draft.key_result_id)
    form = draft_form(draft, request.form)
    if form.validate():
        try:
            approve_draft(draft.id, current_web_user().id, _body(form, kr))
        except ApiError as exc:
            request_session().rollback()
            if exc.status != 422:
                flash(f"This check-in was not approved: {exc.message}.", "error")
                return redirect(_back())
            for name, message in (exc.fields or {}).items():
                getattr(form, name, form.note).errors = [message[:1].upper() + message[1:] + "."]
        else:
            flash(f"Check-in on “{kr.title}” approved and sent to the tracker. "
                  "You can undo it for ten minutes.", "success")
            return redirect(_back())
    return render_template("checkins/draft_page.html", draft=draft, kr=kr, form=form, section="mine",
                           cycle=None, user=current_web_user()), 422


@bp.post("/check-ins/<int:check_in_id>/undo")
@login_required()
def undo(check_in_id: int):
    try:
        draft = undo_check_in(check_in_id, current_web_user().id)
    except ApiError as exc:
        request_session().rollback()
        flash(f"Not undone: {exc.message}.", "error")
        return redirect(_back())
    title = request_session().get(KeyResult, draft.key_result_id).title
    flash(f"Check-in on “{title}” undone: it is a draft again, and what was posted is being removed.",
          "success")
    return redirect(_back())


def register_template_helpers(app) -> None:
    app.jinja_env.globals.update(check_in_review=review_context, kr_check_in_draft=kr_draft,
                                 blocker_kind_words=BLOCKER_KINDS,
                                 status_words={str(k): v for k, v in STATUS_WORDS.items()},
                                 undo_minutes=int(UNDO_WINDOW.total_seconds() // 60))
