"""Declarative base, naming convention and shared column helpers."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def utc_from_store(value: datetime | str | None) -> datetime | None:
    """A stored moment as an aware UTC datetime: SQLite keeps naive UTC (as datetimes, or as text
    when read without SQLAlchemy's conversion), PostgreSQL aware datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        try:   # SQLAlchemy writes "YYYY-MM-DD HH:MM:SS.ffffff": read it as UTC in one call
            moment = datetime.fromisoformat(value + "+00:00")
        except ValueError:   # text with an offset of its own
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment
        value = datetime.fromisoformat(value)   # a date alone, or an offset given
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        return utc_from_store(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}
