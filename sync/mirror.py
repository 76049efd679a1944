"""Mirror jobs: an objective becomes a Jira epic / Linear initiative, a KR a child issue / project.

Creation is idempotent across a job killed between the tracker's create and our commit: the
connector's `create_mirror` finds the mirror first (Jira by label, Linear by the id we chose).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.base import Mirror, MirrorKind, MirrorSpec
from okr_core.domain import TrackerKind
from okr_core.models import Connection, KeyResult, Mirror as MirrorRow, Objective, Team
from okrsync.db import job_session
from sync.connectors import job_connector_for
from sync.mirror_lock import mirror_lock
from sync.mirror_text import KRFigures, key_result_spec, objective_spec, panel_url
from sync.queue import QueueUnavailable, RetryPolicy, enqueue

log = logging.getLogger("okrsync.sync.mirror")
SUBJECT = {MirrorKind.OBJECTIVE: "objective", MirrorKind.KEY_RESULT: "key_result"}
MIRROR_RETRY = RetryPolicy(max=3, intervals=(10, 60, 300))


@dataclass(frozen=True)
class MirrorOptions:
    """Per-connection mirroring settings (Connection.settings), with SPEC section 3 defaults."""

    objectives: bool = True
    key_results: bool = True
    on_delete: str = "archive"      # or "unlink": forget the mirror, leave the tracker alone

    @classmethod
    def from_settings(cls, settings: dict | None) -> "MirrorOptions":
        settings = settings or {}
        on_delete = settings.get("on_delete", cls.on_delete)
        if on_delete not in ("archive", "unlink"):
            raise ValueError(f"on_delete must be 'archive' or 'unlink', not {on_delete!r}")
        return cls(bool(settings.get("mirror_objectives", True)),
                   bool(settings.get("mirror_key_results", True)), on_delete)


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


def store_mirror(connection_id: int, mirror: Mirror) -> None:
    """Remember a created mirror (a concurrent store of the same subject wins harmlessly)."""
    from webhooks.apply import insert_if_absent

    with job_session() as session:
        insert_if_absent(session, MirrorRow, {
            "connection_id": connection_id, "subject_kind": SUBJECT[mirror.kind],
            "subject_id": int(mirror.okrsync_id), "external_id": mirror.external_id,
            "external_key": mirror.key, "url": mirror.url}, ["connection_id", "subject_kind", "subject_id"])


def push_mirror(connection_id: int, spec: MirrorSpec, existing: Mirror | None, connector) -> Mirror:
    """Update the stored mirror, or create it (finding a stray one first) and store it."""
    if existing is not None:
        return connector.update_mirror(existing, spec)
    mirror = connector.create_mirror(spec)
    store_mirror(connection_id, mirror)
    return mirror


def kr_figures(kr: KeyResult) -> KRFigures:
    return KRFigures(kr.id, kr.title, kr.start_value, kr.target_value, kr.current_value,
                     kr.unit or "", kr.progress, str(kr.status))


def _base_url() -> str:
    return current_app.config["SETTINGS"].base_url


def mirror_objective(objective_id: int, connector=None) -> Mirror | None:
    """Job: create or update the objective's mirror in its team's tracker home."""
    with job_session() as session:
        objective = session.get(Objective, objective_id)
        home = home_of(session, objective.team_id) if objective is not None else None
        if home is None or not home.options.objectives:
            return None
        if objective.archived:
            from sync.mirror_retire import retire_mirrors
            retire_mirrors(connector=connector)
            return None
    connector = connector or job_connector_for(home.connection)
    with mirror_lock(home.connection.id, objective_id):
        return _ensure_objective(home, objective_id, connector, update=True)


def _ensure_objective(home: Home, objective_id: int, connector, update: bool) -> Mirror | None:
    with job_session() as session:
        objective = session.get(Objective, objective_id)
        if objective is None:
            return None
        existing = stored_mirror(session, home.connection.id, MirrorKind.OBJECTIVE, objective_id)
        spec = objective_spec(objective_id, objective.title, objective.description or "",
                              home.container, panel_url(_base_url(), home.team_id))
    if existing is not None and not update:
        return existing
    return push_mirror(home.connection.id, spec, existing, connector)


def mirror_key_result(kr_id: int, connector=None) -> Mirror | None:
    """Job: create or update the KR's mirror (its objective's mirror first, when mirrored)."""
    with job_session() as session:
        kr = session.get(KeyResult, kr_id)
        objective = session.get(Objective, kr.objective_id) if kr is not None else None
        home = home_of(session, objective.team_id) if objective is not None else None
        if home is None or not home.options.key_results or objective.archived:
            return None
        objective_id = objective.id
    connector = connector or job_connector_for(home.connection)
    with mirror_lock(home.connection.id, objective_id):
        parent = None
        if home.options.objectives:
            parent = _ensure_objective(home, objective_id, connector, update=False)
        return _push_key_result(home, kr_id, parent, connector)


def _push_key_result(home: Home, kr_id: int, parent: Mirror | None, connector) -> Mirror | None:
    with job_session() as session:
        kr = session.get(KeyResult, kr_id)
        if kr is None:
            return None
        existing = stored_mirror(session, home.connection.id, MirrorKind.KEY_RESULT, kr_id)
        parent_ref = None
        if parent is not None:
            parent_ref = parent.key if home.connection.tracker is TrackerKind.JIRA else parent.external_id
        spec = key_result_spec(kr_figures(kr), home.container, parent_ref,
                               panel_url(_base_url(), home.team_id, kr_id))
    return push_mirror(home.connection.id, spec, existing, connector)


def queue_mirror(kind: str, subject_id: int | None = None) -> None:
    """Queue a mirror job after the API committed ('objective', 'key_result' or 'deleted')."""
    from sync import mirror_jobs

    func = {"objective": mirror_jobs.mirror_objective_job, "key_result": mirror_jobs.mirror_key_result_job,
            "deleted": mirror_jobs.retire_mirrors_job}[kind]
    args = () if subject_id is None else (subject_id,)
    try:
        enqueue(func, *args, retry=MIRROR_RETRY)
    except QueueUnavailable as exc:
        # The edit is committed; the next `okrsync reconcile --full` re-mirrors what is missing.
        log.warning("sync.mirror.unqueued", extra={"kind": kind, "subject_id": subject_id,
                                                   "error": str(exc)})
