"""Drafted weekly check-ins and what their approval posted to the trackers (issue 18)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from okr_core.models.base import Base, utcnow


class CheckInDraft(Base):
    """okrsync's proposal for one KR's check-in of one week; the owner's only once approved.

    `week_start` (the Monday of the owner's team week) makes drafting idempotent per KR and week.
    `prior_value` / `prior_confidence` are the KR's figures before approval, restored by an undo.
    """

    __tablename__ = "check_in_drafts"
    __table_args__ = (UniqueConstraint("key_result_id", "week_start"),
                      Index("ix_check_in_drafts_owner_state", "owner_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("key_results.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    week_start: Mapped[date]
    drafted_at: Mapped[datetime] = mapped_column(default=utcnow)
    value: Mapped[float | None] = mapped_column(Float)
    needs_input: Mapped[bool] = mapped_column(default=False)
    items_done: Mapped[int] = mapped_column(default=0)
    points_done: Mapped[float] = mapped_column(Float, default=0.0)
    moved: Mapped[list] = mapped_column(JSON, default=list)      # [{key, title, url, points}]
    blockers: Mapped[list] = mapped_column(JSON, default=list)   # [{phrase, kind, key, url}]
    suggested_status: Mapped[str | None] = mapped_column(String(20))
    suggested_confidence: Mapped[int | None]
    chance: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    note_source: Mapped[str] = mapped_column(String(20), default="template")
    state: Mapped[str] = mapped_column(String(20), default="waiting")   # waiting | approved
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    prior_value: Mapped[float | None] = mapped_column(Float)
    prior_confidence: Mapped[int | None]


class CheckInPost(Base):
    """One tracker write an approved draft asked for: a Linear project update or a Jira comment.

    `check_in_id` names the approval (kept after an undo deletes the check-in, no foreign key), so a
    retried post job finds its row and posts once; `external_id` is what the tracker answered, to
    withdraw it on undo.
    """

    __tablename__ = "check_in_posts"
    __table_args__ = (UniqueConstraint("check_in_id", "connection_id", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("check_in_drafts.id", ondelete="CASCADE"), index=True)
    check_in_id: Mapped[int]
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(30))       # linear_project_update | jira_comment
    mirror_ref: Mapped[str] = mapped_column(String(128))   # Linear project id / Jira issue key
    external_id: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending|posted|withdrawn|failed
    error: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
