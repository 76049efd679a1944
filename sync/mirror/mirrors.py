"""Mirror jobs: an objective becomes a Jira epic / Linear initiative, a KR a child issue / project.

Creation is idempotent across a job killed between the tracker's create and our commit: the
connector's `create_mirror` finds the mirror first (Jira by label, Linear by the id we chose).
"""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from connector.base import Mirror, MirrorKind, MirrorSpec
from connector.errors import TrackerError
from connector.registry import tracker
from okr_core.models import Cycle, KeyResult, Mirror as MirrorRow, Objective, Team, Connection
from plumbing.db import job_session
from sync.connections.connectors import connector_for, job_connector_for
from sync.mirror.home import SUBJECT, Home, home_of, kr_figures, stored_mirror
from sync.mirror.lock import mirror_lock
from sync.mirror.retire import retire_mirrors
from sync.mirror.text import key_result_spec, objective_spec, panel_url, KRFigures
from plumbing.queue import QueueUnavailable, RetryPolicy, enqueue
from okr_core.domain import TrackerKind

log = logging.getLogger("okrsync.sync.mirror")
MIRROR_RETRY = RetryPolicy(max=3, intervals=(10, 60, 300))


def store_mirror(connection_id: int, mirror: Mirror) -> None:
    """Remember a created mirror (a concurrent store of the same subject wins harmlessly)."""
    from okr_core.store import insert_if_absent

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
            by_key = tracker(home.connection.tracker).parent_ref_is_key
            parent_ref = parent.key if by_key else parent.external_id
        spec = key_result_spec(kr_figures(kr), home.container, parent_ref,
                               panel_url(_base_url(), home.team_id, kr_id))
    return push_mirror(home.connection.id, spec, existing, connector)


def queue_mirror(kind: str, subject_id: int | None = None) -> None:
    """Queue a mirror job after the API committed ('objective', 'key_result' or 'deleted')."""
    job = {"objective": "mirror_objective", "key_result": "mirror_key_result",
           "deleted": "retire_mirrors"}[kind]
    args = () if subject_id is None else (subject_id,)
    try:
        enqueue(job, *args, retry=MIRROR_RETRY)
    except QueueUnavailable as exc:
        # The edit is committed; the next `okrsync reconcile --full` re-mirrors what is missing.
        log.warning("sync.mirror.unqueued", extra={"kind": kind, "subject_id": subject_id,
                                                   "error": str(exc)})


def mirror_missing(connection_id: int, connector=None) -> int:
    """Create the mirrors a lost job left out, for teams homed on this connection; how many."""
    with job_session() as session:
        teams = session.scalars(select(Team.id).where(Team.home_connection_id == connection_id)).all()
        mirrored = {(r.subject_kind, r.subject_id) for r in session.scalars(
            select(MirrorRow).where(MirrorRow.connection_id == connection_id))}
        live = (select(Objective.id).join(Cycle, Cycle.id == Objective.cycle_id)
                .where(Objective.team_id.in_(teams), Objective.archived.is_(False),
                       Cycle.status.in_(("draft", "active"))))
        objectives = [i for i in session.scalars(live) if ("objective", i) not in mirrored]
        krs = [i for i in session.scalars(select(KeyResult.id).where(KeyResult.objective_id.in_(live)))
               if ("key_result", i) not in mirrored]
    created = 0
    for job, subject_id in [(mirror_objective, i) for i in objectives] + [(mirror_key_result, i) for i in krs]:
        try:
            created += job(subject_id, connector=connector) is not None
        except TrackerError as exc:
            # One refused mirror must not fail the pass that stored everything else; it is retried
            # by the next full pass, and the admins see it in the log.
            log.warning("sync.mirror.missing-not-created", extra={
                "connection_id": connection_id, "subject_id": subject_id, "error": f"{type(exc).__name__}: {exc}"})
    return created
