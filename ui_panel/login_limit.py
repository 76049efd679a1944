"""Sign-in rate limiting per email and client address, counted in the database.

Failures are audit entries, so every gunicorn process and host sees the same count.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.audit import record_audit
from okr_core.models import AuditEntry, utcnow

WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5
FAILED = "login.failed"
SUCCEEDED = "login.succeeded"


def attempt_key(email: str, address: str | None) -> str:
    """The subject failures are counted under: the email asked for and the client's address."""
    return f"{email[:150]}|{(address or 'unknown')[:45]}"


def _last_success(session: Session, key: str, since: datetime) -> datetime | None:
    return session.scalar(select(func.max(AuditEntry.at)).where(
        AuditEntry.action == SUCCEEDED, AuditEntry.subject == key, AuditEntry.at >= since))


def recent_failures(session: Session, key: str, now: datetime | None = None) -> int:
    """Failures in the window, not counting those before a successful sign-in."""
    since = (now or utcnow()) - WINDOW
    since = max(since, _last_success(session, key, since) or since)
    return session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == FAILED, AuditEntry.subject == key, AuditEntry.at >= since)) or 0


def is_limited(session: Session, key: str) -> bool:
    return recent_failures(session, key) >= MAX_FAILURES


def record_failure(session: Session, key: str) -> None:
    record_audit(session, None, FAILED, key)
    session.commit()


def record_success(session: Session, user_id: int, key: str) -> None:
    record_audit(session, user_id, SUCCEEDED, key)
    session.commit()
