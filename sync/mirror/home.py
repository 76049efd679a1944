"""Where a team's OKRs are mirrored, with which options, and what is already mirrored."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.base import Mirror, MirrorKind
from okr_core.connection_settings import ConnectionSettings
from okr_core.models import Connection, KeyResult, Mirror as MirrorRow, Team
from sync.mirror.text import KRFigures

SUBJECT = {MirrorKind.OBJECTIVE: "objective", MirrorKind.KEY_RESULT: "key_result"}


@dataclass(frozen=True)
class MirrorOptions:
    """Per-connection mirroring settings (Connection.settings), with SPEC section 3 defaults."""

    objectives: bool
    key_results: bool
    on_delete: str      # "archive", or "unlink": forget the mirror, leave the tracker alone

    @classmethod
    def from_settings(cls, stored: dict | None) -> "MirrorOptions":
        settings = ConnectionSettings.from_stored(stored)
        if settings.on_delete not in ("archive", "unlink"):
            raise ValueError(f"on_delete must be 'archive' or 'unlink', not {settings.on_delete!r}")
        return cls(settings.mirror_objectives, settings.mirror_key_results, settings.on_delete)


@dataclass(frozen=True)
class Home:
    """Where a team's OKRs are mirrored."""

    connection: Connection
    container: str
    team_id: int
    options: MirrorOptions


def home_of(session: Session, team_id: int | None) -> Home | None:
    """The team's tracker home, or None when its OKRs are not mirrored."""
    team = session.get(Team, team_id) if team_id is not None else None
    if team is None or team.home_connection_id is None or not team.home_project:
        return None
    connection = session.get(Connection, team.home_connection_id)
    if connection is None:
        return None
    return Home(connection, team.home_project, team.id, MirrorOptions.from_settings(connection.settings))


def stored_mirror(session: Session, connection_id: int, kind: MirrorKind, subject_id: int) -> Mirror | None:
    """The mirror okrsync stored for this subject on this connection, as the connector's value."""
    row = session.scalar(select(MirrorRow).where(
        MirrorRow.connection_id == connection_id, MirrorRow.subject_kind == SUBJECT[kind],
        MirrorRow.subject_id == subject_id))
    if row is None:
        return None
    return Mirror(kind, str(subject_id), row.external_id, row.external_key or row.external_id, row.url)


def kr_figures(kr: KeyResult) -> KRFigures:
    return KRFigures(kr.id, kr.title, kr.start_value, kr.target_value, kr.current_value,
                     kr.unit or "", kr.progress, str(kr.status))
