"""Re-encrypt every stored secret with the newest key, so older keys can be retired.

Put the new key first in OKRSYNC_ENCRYPTION_KEY (keep the old ones after it), run this, then drop
the old keys.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.instance_settings import LLM_ACTION
from config.notification_settings import SLACK_ACTION, SMTP_ACTION
from config.secrets import SecretBox
from okr_core.models import AuditEntry, Connection


def rotate_stored_secrets(session: Session, box: SecretBox) -> int:
    """Re-encrypt connection credentials, webhook secrets, LLM keys, the SMTP password and the
    Slack token and webhooks; returns how many."""
    rotated = 0
    for connection in session.scalars(select(Connection)):
        for column in ("credentials_encrypted", "webhook_secret_encrypted"):
            token = getattr(connection, column)
            if token:
                setattr(connection, column, box.rotate(token))
                rotated += 1
    for entry in session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_((LLM_ACTION, SMTP_ACTION, SLACK_ACTION)))):
        detail, count = _rotated_detail(entry.detail or {}, box)
        if count:
            entry.detail = detail  # a new dict, so the JSON column is seen as changed
            rotated += count
    session.commit()
    return rotated


ENCRYPTED_SUFFIX = "_encrypted"


def _rotated_detail(detail: dict, box: SecretBox) -> tuple[dict, int]:
    """A copy of a settings entry's detail with every `*_encrypted` value re-encrypted, at any
    depth (Slack keeps one webhook per team); and how many there were."""
    out, count = {}, 0
    for key, value in detail.items():
        if isinstance(value, dict):
            value, inner = _rotated_detail(value, box)
            count += inner
        elif key.endswith(ENCRYPTED_SUFFIX) and isinstance(value, str) and value:
            value, count = box.rotate(value), count + 1
        out[key] = value
    return out, count
