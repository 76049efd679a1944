"""Approving a draft records the owner's check-in through the one check-in path; an undo within ten
minutes deletes it again and restores the KR's figures."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from okr_core.checkins import CheckInFields, record_check_in
from okr_core.domain import CheckInSource, KRStatus, Measure
from okr_core.models import CheckIn, CheckInDraft, KeyResult, Objective
from okr_core.recount import recount

UNDO_WINDOW = timedelta(minutes=10)
WAITING, APPROVED = "waiting", "approved"


class DraftNotWaiting(ValueError):
    """The draft was approved already (its check-in is recorded)."""


class UndoClosed(ValueError):
    """The check-in is older than the undo window, or was not approved from a draft."""


def draft_fields(draft: CheckInDraft, kr: KeyResult) -> CheckInFields:
    """What approving the draft unedited records: a manual KR's value only when it is there."""
    value = draft.value if kr.measure == Measure.MANUAL else None
    status = KRStatus(draft.suggested_status) if draft.suggested_status else None
    return CheckInFields(value=value, status=status, confidence=draft.suggested_confidence,
                         note=draft.note, blockers=blocker_text(draft.blockers))


def blocker_text(blockers: list[dict]) -> str:
    return "\n".join(f"{b['key']}: {b['phrase']}" for b in blockers)


def approve(session: Session, draft: CheckInDraft, author_id: int, fields: CheckInFields,
            now: datetime) -> CheckIn:
    """Record `fields` (the draft as the owner edited it) as the owner's check-in."""
    if draft.state != WAITING:
        raise DraftNotWaiting("this draft was approved already")
    kr = session.get(KeyResult, draft.key_result_id)
    objective = session.get(Objective, kr.objective_id)
    if kr.measure != Measure.MANUAL:
        fields = replace(fields, value=None)
    draft.prior_value, draft.prior_confidence = kr.current_value, kr.confidence
    check_in = record_check_in(session, kr, objective, author_id, fields, now)
    check_in.source = CheckInSource.DRAFTED
    session.flush()
    draft.state, draft.check_in_id, draft.approved_at = APPROVED, check_in.id, now
    return check_in


def undoable_draft(session: Session, check_in: CheckIn, now: datetime) -> CheckInDraft:
    """The draft this check-in was approved from, while its undo window is open."""
    draft = session.query(CheckInDraft).filter_by(check_in_id=check_in.id).one_or_none()
    if draft is None or check_in.source != CheckInSource.DRAFTED:
        raise UndoClosed("only a check-in approved from a draft can be undone")
    if now - check_in.created_at > UNDO_WINDOW:
        raise UndoClosed("the ten minutes to undo this check-in are over")
    return draft


def undo(session: Session, check_in: CheckIn, now: datetime) -> CheckInDraft:
    """Delete the check-in, put the KR's value and confidence back, and the draft back to waiting."""
    draft = undoable_draft(session, check_in, now)
    kr = session.get(KeyResult, check_in.key_result_id)
    if check_in.value is not None:
        kr.current_value = draft.prior_value
    if check_in.confidence is not None:
        kr.confidence = draft.prior_confidence
    draft.state, draft.check_in_id, draft.approved_at = WAITING, None, None
    session.delete(check_in)
    session.flush()
    recount(session, [kr.id], now)
    return draft
