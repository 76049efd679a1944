"""Stored blocker-miner results: one row per mined text, with the miner version that produced it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from okr_core.models.base import Base, utcnow


class BlockerMining(Base):
    """What the miner concluded about one comment or check-in text (`found` false: no blocker signal).

    `text_hash` is the text's digest when it was mined: an edited text no longer matches and is mined
    again; a row of an older `miner_version` is still used until the background re-mine replaces it.
    """

    __tablename__ = "blocker_minings"
    __table_args__ = (Index("ix_blocker_minings_version", "miner_version"),)

    source_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(32))
    miner_version: Mapped[str] = mapped_column(String(20))
    found: Mapped[bool] = mapped_column(default=False)
    is_blocker: Mapped[bool] = mapped_column(default=False)
    ambiguous: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str | None] = mapped_column(String(20))
    phrase: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float] = mapped_column(default=0.0)
    mined_at: Mapped[datetime] = mapped_column(default=utcnow)
