"""Messages that did not go out, for /admin/notifications and the sync page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.models import NotificationSend, User
from sync.notify.content import KIND_LABELS

PROBLEM_STATES = ("failed", "unconfirmed", "retrying")
STATE_WORDS = {"failed": "not sent", "unconfirmed": "not confirmed", "retrying": "trying again"}
LIMIT = 50


@dataclass(frozen=True)
class Problem:
    id: int
    person: str
    kind: str
    period: str
    channel: str
    state: str
    message: str
    attempts: int
    next_attempt_at: datetime | None


def problem_sends(session: Session) -> list[Problem]:
    rows = session.execute(
        select(NotificationSend, User.name).join(User, User.id == NotificationSend.user_id)
        .where(NotificationSend.state.in_(PROBLEM_STATES))
        .order_by(NotificationSend.updated_at.desc(), NotificationSend.id.desc()).limit(LIMIT)).all()
    return [Problem(r.id, name, KIND_LABELS.get(r.kind, r.kind), r.period,
                    "Email" if r.channel == "email" else "Slack", STATE_WORDS[r.state],
                    r.last_error or "", r.attempts, r.next_attempt_at)
            for r, name in rows]
