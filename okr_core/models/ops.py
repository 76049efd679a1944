"""Operational records: webhook deliveries, sync passes, analyses, the audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from okr_core.models.base import Base, utcnow


class Delivery(Base):
    """One acknowledged webhook delivery; durable before the tracker gets its 200."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("connection_id", "dedupe_key"),
                      Index("ix_deliveries_state_received", "state", "received_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending|ignored|done|failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]


# PostgreSQL compresses a body over about 2 KB (most deliveries: a Jira issue event is 9 KB) with
# pglz unless told otherwise; lz4 costs the server about 0.2 ms less CPU per stored delivery, a
# third of what storing one costs it (issue 14). Skipped where the server has no lz4 (before 14,
# or built without it). Migration i14_delivery_body_lz4 does the same to an existing table.
DELIVERY_BODY_LZ4 = """DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_settings
             WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) THEN
    ALTER TABLE %(table)s ALTER COLUMN body SET COMPRESSION lz4;
  END IF;
END $$"""
event.listen(Delivery.__table__, "after_create",
             DDL(DELIVERY_BODY_LZ4).execute_if(dialect="postgresql"))


class SyncState(Base):
    """Per-connection reconcile cursor and the outcome of the last pass."""

    __tablename__ = "sync_states"

    connection_id: Mapped[int] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True)
    cursor: Mapped[datetime | None]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_kind: Mapped[str | None] = mapped_column(String(20))
    last_counts: Mapped[dict] = mapped_column(JSON, default=dict)
    last_error: Mapped[str | None] = mapped_column(Text)


class Analysis(Base):
    __tablename__ = "analyses"
    __table_args__ = (Index("ix_analyses_cycle_scope", "cycle_id", "scope", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(64), default="company")
    state: Mapped[str] = mapped_column(String(20), default="queued")  # queued|done|failed
    inputs_hash: Mapped[str | None] = mapped_column(String(64))
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    narrative: Mapped[dict] = mapped_column(JSON, default=dict)
    model: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # Who asked for it through the API (None for scheduled refreshes): runs are rate-limited per user.
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
