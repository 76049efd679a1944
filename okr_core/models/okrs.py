"""Cycles, objectives, key results, check-ins and the progress series."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from okr_core.domain import CheckInSource, CycleStatus, KRStatus, Level, Measure, Visibility
from okr_core.models.base import Base, utcnow
from okr_core.models.org import Team, User, enum_column


class Cycle(Base):
    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[CycleStatus] = enum_column(CycleStatus, default=CycleStatus.DRAFT)
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Guide step 1: the scope a cycle is set for; the notes of the mid-cycle review and the
    # retrospective after scoring (migration i16_cycle_notes).
    scope: Mapped[Level] = enum_column(Level, default=Level.COMPANY, server_default="company")
    review_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    retrospective_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Set when an admin starts closing: the KR owners then enter their final values
    # (migration i16_close_started); the cycle stays writable until it is closed.
    close_started_at: Mapped[datetime | None]


class Objective(Base):
    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[Level] = enum_column(Level, default=Level.TEAM)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("objectives.id", ondelete="SET NULL"), index=True)
    visibility: Mapped[Visibility] = enum_column(Visibility, default=Visibility.PUBLIC)
    published: Mapped[bool] = mapped_column(default=True)
    progress: Mapped[float | None] = mapped_column(Float)
    final_score: Mapped[float | None] = mapped_column(Float)
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cycle: Mapped[Cycle] = relationship()
    team: Mapped[Team | None] = relationship()
    owner: Mapped[User | None] = relationship()


class KeyResult(Base):
    __tablename__ = "key_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    start_value: Mapped[float] = mapped_column(Float, default=0.0)
    target_value: Mapped[float | None] = mapped_column(Float)
    current_value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40), default="")
    measure: Mapped[Measure] = enum_column(Measure, default=Measure.MANUAL)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    confidence: Mapped[int | None]
    status: Mapped[KRStatus] = enum_column(KRStatus, default=KRStatus.NOT_STARTED)
    progress: Mapped[float | None] = mapped_column(Float)
    items_total: Mapped[int] = mapped_column(default=0)
    items_done: Mapped[int] = mapped_column(default=0)
    points_total: Mapped[float] = mapped_column(Float, default=0.0)
    points_done: Mapped[float] = mapped_column(Float, default=0.0)
    final_score: Mapped[float | None] = mapped_column(Float)
    last_progress_change_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    objective: Mapped[Objective] = relationship()
    owner: Mapped[User | None] = relationship()


class CheckIn(Base):
    __tablename__ = "check_ins"
    __table_args__ = (Index("ix_check_ins_kr_created", "key_result_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("key_results.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    value: Mapped[float | None] = mapped_column(Float)
    status: Mapped[KRStatus | None] = enum_column(KRStatus, nullable=True)
    confidence: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
    blockers: Mapped[str] = mapped_column(Text, default="")
    wins: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[CheckInSource] = enum_column(CheckInSource, default=CheckInSource.MANUAL)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class ProgressSnapshot(Base):
    __tablename__ = "progress_snapshots"
    __table_args__ = (Index("ix_progress_snapshots_kr_at", "key_result_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("key_results.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    value: Mapped[float | None] = mapped_column(Float)
    progress: Mapped[float | None] = mapped_column(Float)
