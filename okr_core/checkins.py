"""Recording a weekly check-in: the same domain steps for the REST API and the web form."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from okr_core.domain import JUDGED_STATUSES, KRStatus, Measure
from okr_core.models import CheckIn, KeyResult, Objective
from okr_core.recount import recount


class ValueFromLinkedWork(ValueError):
    """A value was given for a key result whose value comes from its linked work."""


class EmptyCheckIn(ValueError):
    """A check-in with no value, status, confidence, note, blockers or wins says nothing."""


class StatusNotReportable(ValueError):
    """A check-in tried to report "not started", which only the absence of a value means."""


@dataclass(frozen=True)
class CheckInFields:
    value: float | None = None
    status: KRStatus | None = None
    confidence: int | None = None
    note: str = ""
    blockers: str = ""
    wins: str = ""

    def is_empty(self) -> bool:
        """True when nothing was reported (blank text counts as nothing)."""
        numbers = (self.value, self.status, self.confidence)
        texts = (self.note, self.blockers, self.wins)
        return all(v is None for v in numbers) and not any((t or "").strip() for t in texts)


def record_check_in(session: Session, kr: KeyResult, objective: Objective, author_id: int | None,
                    fields: CheckInFields, now: datetime) -> CheckIn:
    """Store the check-in, apply its value and confidence, recompute the KR and its objectives."""
    if fields.is_empty():
        raise EmptyCheckIn("a check-in needs a value, status, confidence, note, blocker or win")
    if fields.status is not None and KRStatus(fields.status) not in JUDGED_STATUSES:
        raise StatusNotReportable("a check-in reports on track, at risk or off track")
    if fields.value is not None and kr.measure != Measure.MANUAL:
        raise ValueFromLinkedWork("only a manual key result takes a value")
    check_in = CheckIn(key_result_id=kr.id, author_id=author_id, created_at=now,
                       value=fields.value, status=fields.status, confidence=fields.confidence,
                       note=fields.note, blockers=fields.blockers, wins=fields.wins)
    session.add(check_in)
    if fields.value is not None:
        kr.current_value = fields.value
    if fields.confidence is not None:
        kr.confidence = fields.confidence
    recount(session, [kr.id], now)
    return check_in
