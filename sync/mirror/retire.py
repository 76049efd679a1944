"""Mirrors whose objective or KR was deleted or archived: archive them in the tracker, or just unlink."""
from __future__ import annotations

import logging

from sqlalchemy import select

from connector.base import Mirror, MirrorKind
from okr_core.models import Connection, KeyResult, Mirror as MirrorRow, Objective, Team
from plumbing.db import job_session
from sync.connections.connectors import connector_for
from sync.mirror.home import SUBJECT, MirrorOptions, kr_figures
from sync.mirror.text import deleted_spec, key_result_spec, objective_spec, panel_url

log = logging.getLogger("okrsync.sync.mirror")
KIND_OF = {subject: kind for kind, subject in SUBJECT.items()}


def _subject_state(session, row: MirrorRow):
    """(objective, kr) still behind a mirror row; None for what is gone."""
    if row.subject_kind == SUBJECT[MirrorKind.OBJECTIVE]:
        return session.get(Objective, row.subject_id), None
    kr = session.get(KeyResult, row.subject_id)
    return (session.get(Objective, kr.objective_id) if kr else None), kr


def _retirement(session, row: MirrorRow, base_url: str):
    """The spec to archive with and whether the row goes; None when the subject is alive."""
    objective, kr = _subject_state(session, row)
    kind = KIND_OF[row.subject_kind]
    gone = objective is None or (kind is MirrorKind.KEY_RESULT and kr is None)
    if not gone and not objective.archived:
        return None
    team = session.get(Team, objective.team_id) if objective is not None and objective.team_id else None
    container = (team.home_project if team else None) or ""
    if gone:
        return deleted_spec(kind, row.subject_id, container), True
    panel = panel_url(base_url, objective.team_id, kr.id if kr else None)
    if kr is None:
        return objective_spec(objective.id, objective.title, objective.description or "", container,
                              panel, archived=True), False
    return key_result_spec(kr_figures(kr), container, None, panel, archived=True), False


def retire_mirrors(connector=None, base_url: str | None = None) -> int:
    """Archive or unlink every mirror whose subject is gone or archived; how many were handled."""
    from flask import current_app

    base_url = base_url or current_app.config["SETTINGS"].base_url
    with job_session() as session:
        work = []
        for row in session.scalars(select(MirrorRow).order_by(MirrorRow.id)):
            decided = _retirement(session, row, base_url)
            if decided is not None:
                connection = session.get(Connection, row.connection_id)
                mirror = Mirror(KIND_OF[row.subject_kind], str(row.subject_id), row.external_id,
                                row.external_key or row.external_id, row.url)
                work.append((row.id, connection, mirror, *decided))
    for row_id, connection, mirror, spec, drop in work:
        _retire_one(row_id, connection, mirror, spec, drop, connector)
    return len(work)


def _retire_one(row_id: int, connection: Connection, mirror: Mirror, spec, drop: bool, connector) -> None:
    options = MirrorOptions.from_settings(connection.settings)
    if options.on_delete == "archive":
        (connector or connector_for(connection)).update_mirror(mirror, spec)
    if drop or options.on_delete == "unlink":
        with job_session() as session:
            row = session.get(MirrorRow, row_id)
            if row is not None:
                session.delete(row)
    log.info("sync.mirror.retired", extra={"mirror_id": row_id, "on_delete": options.on_delete})
