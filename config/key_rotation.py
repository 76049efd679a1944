"""Re-encrypt every stored secret with the newest key, so older keys can be retired.

Put the new key first in OKRSYNC_ENCRYPTION_KEY (keep the old ones after it), run this, then drop
the old keys.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.instance_settings import LLM_ACTION
from config.secrets import SecretBox
from okr_core.models import AuditEntry, Connection


def rotate_stored_secrets(session: Session, box: SecretBox) -> int:
    """Re-encrypt connection credentials, webhook secrets and LLM keys; returns how many."""
    rotated = 0
    for connection in session.scalars(select(Connection)):
        for column in ("credentials_encrypted", "webhook_secret_encrypted"):
            token = getattr(connection, column)
            if token:
                setattr(connection, column, box.rotate(token))
                rotated += 1
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.action == LLM_ACTION)):
        detail = dict(entry.detail or {})
        if detail.get("api_key_encrypted"):
            detail["api_key_encrypted"] = box.rotate(detail["api_key_encrypted"])
            entry.detail = detail  # a new dict, so the JSON column is seen as changed
            rotated += 1
    session.commit()
    return rotated
