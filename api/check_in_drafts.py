"""Drafted check-ins: the caller's list, approving one (as edited), and undoing an approval.

The operations are plain functions the pages reuse (ui_panel/draft_views.py)."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify
from sqlalchemy import select

from okr_core.checkin_drafts.approval import (
    UNDO_WINDOW, DraftNotWaiting, UndoClosed, approve, draft_fields, undo,
)
from okr_core.checkins import CheckInFields, EmptyCheckIn, StatusNotReportable, ValueFromLinkedWork
from okr_core.domain import KRStatus
from okr_core.models import CheckIn, CheckInDraft, KeyResult, Objective, utcnow
from api.auth import current_viewer
from api.common import ensure_cycle_writable, paginate
from api.errors import ApiError, conflict, forbidden, not_found
from api.schemas import CheckInDraftOut, CheckInOut, DraftApprove
from api.spec import parse_body, route
from plumbing.db import request_session
from sync.checkins.posts import queue_post, queue_withdraw
from sync.followups import followups_for

bp = Blueprint("api_check_in_drafts", __name__)



def draft_out(draft: CheckInDraft, title: str) -> dict:
    return CheckInDraftOut.model_validate(
        {**{c: getattr(draft, c) for c in CheckInDraftOut.model_fields if hasattr(draft, c)},
         "key_result_title": title}).model_dump(mode="json")


def drafts_query(user_id: int, since: datetime):
    """The user's drafts waiting for approval, and those approved since `since` (still undoable)."""
    return (select(CheckInDraft).join(KeyResult, KeyResult.id == CheckInDraft.key_result_id)
            .join(Objective, Objective.id == KeyResult.objective_id)
            .where(CheckInDraft.owner_id == user_id, KeyResult.owner_id == user_id,
                   Objective.archived.is_(False),
                   (CheckInDraft.state == "waiting") | (CheckInDraft.approved_at >= since))
            .order_by(CheckInDraft.week_start.desc(), CheckInDraft.id))


def drafts_out(drafts: list[CheckInDraft]) -> list[dict]:
    titles = dict(request_session().execute(select(KeyResult.id, KeyResult.title).where(
        KeyResult.id.in_([d.key_result_id for d in drafts]))).all())
    return [draft_out(d, titles[d.key_result_id]) for d in drafts]


@route(bp, "/check-in-drafts", "GET", "The caller's drafted check-ins: waiting, or approved within "
       "the last ten minutes (still undoable)", response=CheckInDraftOut, paged=True)
def list_drafts():
    return paginate(drafts_query(current_viewer().user_id, utcnow() - UNDO_WINDOW), to_dicts=drafts_out)


def owned_draft(draft_id: int, user_id: int) -> CheckInDraft:
    draft = request_session().get(CheckInDraft, draft_id)
    if draft is None:
        raise not_found("check-in draft", draft_id)
    if draft.owner_id != user_id:
        raise forbidden("only the key result's owner approves its drafted check-in")
    return draft


def edited_fields(draft: CheckInDraft, kr: KeyResult, body: DraftApprove) -> CheckInFields:
    """The draft's fields with the caller's edits over them."""
    base = draft_fields(draft, kr)
    given = body.model_fields_set
    status = body.status if "status" in given else base.status
    return CheckInFields(
        value=body.value if "value" in given else base.value,
        status=KRStatus(status) if status else None,
        confidence=body.confidence if "confidence" in given else base.confidence,
        note=(body.note if "note" in given else base.note).strip(),
        blockers=(body.blockers if "blockers" in given else base.blockers).strip(),
        wins=(body.wins if "wins" in given else base.wins).strip())


def approve_draft(draft_id: int, user_id: int, body: DraftApprove) -> CheckIn:
    """Record the (edited) draft as the owner's check-in, then queue its posts; raises ApiError."""
    session = request_session()
    draft = owned_draft(draft_id, user_id)
    kr = session.get(KeyResult, draft.key_result_id)
    ensure_cycle_writable(session.get(Objective, kr.objective_id).cycle_id)
    try:
        check_in = approve(session, draft, user_id, edited_fields(draft, kr, body), utcnow())
    except DraftNotWaiting as exc:
        raise conflict(str(exc))
    except ValueFromLinkedWork:
        session.rollback()
        raise ApiError(422, "invalid_fields", "this key result's value comes from linked work",
                       {"value": "only a manual key result takes a value"})
    except EmptyCheckIn:
        session.rollback()
        raise ApiError(422, "invalid_fields", "an empty check-in says nothing",
                       {"note": "give a value, status, confidence, note, blockers or wins"})
    except StatusNotReportable:
        session.rollback()
        raise ApiError(422, "invalid_fields", "a check-in reports on_track, at_risk or off_track",
                       {"status": "not started is not a status to report"})
    followups = followups_for(session, {kr.id})
    session.commit()
    followups.queue()
    queue_post(draft.id, check_in.id)
    return check_in


@route(bp, "/check-in-drafts/<int:draft_id>/approve", "POST",
       "Approve a drafted check-in as edited: recorded as the owner's, then posted to the trackers",
       body=DraftApprove, response=CheckInOut, status=201)
def approve_route(draft_id: int):
    check_in = approve_draft(draft_id, current_viewer().user_id, parse_body(DraftApprove))
    return jsonify(CheckInOut.model_validate(check_in).model_dump(mode="json")), 201


def undo_check_in(check_in_id: int, user_id: int) -> CheckInDraft:
    """Delete an approved draft's check-in and withdraw its posts, within ten minutes; ApiError."""
    session = request_session()
    check_in = session.get(CheckIn, check_in_id)
    if check_in is None:
        raise not_found("check-in", check_in_id)
    if check_in.author_id != user_id:
        raise forbidden("only the person who approved a check-in can undo it")
    try:
        draft = undo(session, check_in, utcnow())
    except UndoClosed as exc:
        raise conflict(str(exc), "undo_closed")
    followups = followups_for(session, {draft.key_result_id})
    session.commit()
    followups.queue()
    queue_withdraw(draft.id, check_in_id)
    return draft


@route(bp, "/check-ins/<int:check_in_id>/undo", "POST",
       "Undo a check-in approved from a draft, within ten minutes: deletes it and what was posted",
       response=CheckInDraftOut)
def undo_route(check_in_id: int):
    draft = undo_check_in(check_in_id, current_viewer().user_id)
    title = request_session().get(KeyResult, draft.key_result_id).title
    return jsonify(draft_out(draft, title))
