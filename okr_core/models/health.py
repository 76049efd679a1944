"""How a connection's tracker has been answering: failures in a row, when to try it next."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from okr_core.models.base import Base


class ConnectionHealth(Base):
    """A row once a connection's tracker failed; its jobs wait until `next_attempt_at`."""

    __tablename__ = "connection_health"

    connection_id: Mapped[int] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    failing_since: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
