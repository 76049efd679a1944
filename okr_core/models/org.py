"""The organisation: teams, users and their API tokens."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from okr_core.domain import Role, TeamKind
from okr_core.models.base import Base, utcnow


def enum_column(enum_cls, **kw):
    """Store an enum by value, as a plain string column (portable, readable in SQL)."""
    return mapped_column(
        Enum(enum_cls, native_enum=False, values_callable=lambda e: [m.value for m in e],
             length=32, validate_strings=True),
        **kw,
    )


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TeamKind] = enum_column(TeamKind)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    home_connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL"))
    home_project: Mapped[str | None] = mapped_column(String(200))
    # When the team's weekly check-ins are drafted (issue 18): weekday (0 Monday .. 6 Sunday) and
    # time of day in the team's time zone (an IANA name). Default: Friday 14:00 UTC.
    check_in_weekday: Mapped[int] = mapped_column(default=4, server_default="4")
    check_in_time: Mapped[str] = mapped_column(String(5), default="14:00", server_default="14:00")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["Team | None"] = relationship(remote_side="Team.id")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    role: Mapped[Role] = enum_column(Role, default=Role.MEMBER)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    jira_account_id: Mapped[str | None] = mapped_column(String(128), index=True)
    linear_user_id: Mapped[str | None] = mapped_column(String(128), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Each browser session carries the generation it was opened in; bumping it (sign-out,
    # a new password, deactivation: see okr_core.models.user_sessions) ends them all.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    team: Mapped[Team | None] = relationship()


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="cli")
    token_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
