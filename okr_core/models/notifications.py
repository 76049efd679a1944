"""Reminders and digests: what each person wants to receive, and every message okrsync sent.

A `NotificationSend` row is the claim on one message (a person, a kind, a period, a channel):
it is inserted before anything is sent and marked sent afterwards, so retries, several workers
and a killed worker never send the same reminder twice.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from okr_core.models.base import Base, utcnow


class NotificationPreference(Base):
    """One person's choice of channels and cadence; absent, the admins' defaults apply."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    email: Mapped[bool] = mapped_column(default=True)
    slack: Mapped[bool] = mapped_column(default=True)
    reminders: Mapped[bool] = mapped_column(default=True)
    digests: Mapped[bool] = mapped_column(default=True)
    # Set by the signed unsubscribe link of an email: no more email until the person opts in.
    unsubscribed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NotificationSend(Base):
    """One message: queued, sending (claimed), sent, retrying, failed, skipped or unconfirmed."""

    __tablename__ = "notification_sends"
    __table_args__ = (UniqueConstraint("user_id", "kind", "period", "channel"),
                      Index("ix_notification_sends_state", "state", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))       # reminder | leadership_digest | team_digest
    period: Mapped[str] = mapped_column(String(16))     # ISO week, e.g. 2026-W49
    channel: Mapped[str] = mapped_column(String(16))    # email | slack
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
