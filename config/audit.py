"""The audit log: who changed what in the admin pages (and sign-in outcomes, for rate limiting)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.models import AuditEntry

HIDDEN_DETAIL_SUFFIX = "_encrypted"


def record_audit(session: Session, actor_id: int | None, action: str, subject: str,
                 detail: dict | None = None) -> AuditEntry:
    """Add an audit entry to the session's transaction (the caller commits)."""
    entry = AuditEntry(actor_id=actor_id, action=action, subject=subject[:200],
                       detail=dict(detail or {}))
    session.add(entry)
    return entry


def latest_entry(session: Session, action: str) -> AuditEntry | None:
    """The newest entry with this action, or None."""
    return session.scalar(select(AuditEntry).where(AuditEntry.action == action)
                          .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1))


def shown_detail(entry: AuditEntry) -> dict:
    """The detail fields fit for a page: encrypted blobs are left out, at any depth."""
    return _without_blobs(entry.detail or {})


def _without_blobs(detail: dict) -> dict:
    return {k: _without_blobs(v) if isinstance(v, dict) else v for k, v in detail.items()
            if not k.endswith(HIDDEN_DETAIL_SUFFIX)}
