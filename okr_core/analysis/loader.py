"""Loads the facts of one cycle for one viewer and scope, in a fixed number of queries.

The large lists (key results, check-ins, snapshots, items, comments) are read as plain column values
through Core, not as ORM objects, and their enums and moments raw (`_raw`): SQLAlchemy's conversion
of each value costs more than the query itself at tens of thousands of rows. Enums become their
stored value, as str() of the enum gives; moments go through utc_from_store, as UTCDateTime does.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import String, or_, select, type_coerce
from sqlalchemy.orm import Session

from okr_core.analysis.facts import (
    CheckInFact, CommentFact, CycleFacts, CycleInfo, ItemFact, KeyResultFact, ObjectiveFact,
    PastCycleFact, RelationFact, SnapshotFact,
)
from okr_core.analysis.scope import Scope
from okr_core.domain import CycleStatus
from okr_core.models import (
    CheckIn, Comment, Cycle, ItemRelation, KeyResult, LinkItem, Objective, ProgressSnapshot, Team,
    User, WorkItem, WorkLink,
)
from okr_core.models.base import utc_from_store
from okr_core.visibility import Viewer, descendants, team_parents, visible_objectives_clause


def _objective_filter(session: Session, viewer: Viewer, scope: Scope) -> list:
    """What the viewer may see, narrowed to the scope (a team and its sub-teams, or a person)."""
    conditions = [Objective.archived.is_(False), visible_objectives_clause(viewer)]
    if scope.kind == "team":
        conditions.append(Objective.team_id.in_(descendants(team_parents(session), scope.subject_id)))
    elif scope.kind == "user":
        owns_kr = select(KeyResult.objective_id).where(KeyResult.owner_id == scope.subject_id)
        conditions.append(or_(Objective.owner_id == scope.subject_id, Objective.id.in_(owns_kr)))
    return conditions


def _kr_filter(scope: Scope) -> list:
    """A person's view keeps their own KRs and every KR of objectives they own."""
    if scope.kind != "user":
        return []
    return [or_(KeyResult.owner_id == scope.subject_id, Objective.owner_id == scope.subject_id)]


def load_cycle_facts(session: Session, cycle_id: int, viewer: Viewer, scope: Scope,
                     now: datetime) -> CycleFacts | None:
    """The facts of the cycle as the viewer may see them; None when the cycle does not exist."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        return None
    where = [Objective.cycle_id == cycle_id, *_objective_filter(session, viewer, scope)]
    kr_ids = select(KeyResult.id).join(Objective, Objective.id == KeyResult.objective_id) \
        .where(*where, *_kr_filter(scope))
    return CycleFacts(
        cycle=CycleInfo(cycle.id, cycle.name, cycle.start_date, cycle.end_date, str(cycle.status)),
        now=now, scope=str(scope),
        objectives=_objectives(session, where), key_results=_key_results(session, kr_ids),
        check_ins=_check_ins(session, kr_ids), snapshots=_snapshots(session, kr_ids),
        items=_items(session, kr_ids), comments=_comments(session, kr_ids),
        relations=_relations(session, kr_ids),
        past_cycles=_past_cycles(session, cycle, _objective_filter(session, viewer, scope)),
        team_names=dict(session.execute(select(Team.id, Team.name)).all()),
        user_names=dict(session.execute(select(User.id, User.name)).all()))


def _raw(column):
    """The column as stored, without SQLAlchemy's per-value result conversion."""
    return type_coerce(column, String)


def _rows(session: Session, statement) -> list:
    """All rows as plain tuples, run on the session's connection (no ORM layer)."""
    return session.connection().execute(statement).all()


def _text(value) -> str:
    """An enum read raw: its stored value, which is what str() of the enum gives (None: "None")."""
    return str(value)


def _objectives(session: Session, where: list) -> list[ObjectiveFact]:
    rows = _rows(session, select(
        Objective.id, Objective.title, _raw(Objective.level), Objective.team_id, Objective.owner_id,
        Objective.parent_id, Objective.progress, Objective.final_score,
    ).where(*where).order_by(Objective.id))
    return [ObjectiveFact(id, title, _text(level), team_id, owner_id, parent_id, progress, final_score)
            for id, title, level, team_id, owner_id, parent_id, progress, final_score in rows]


def _key_results(session: Session, kr_ids) -> list[KeyResultFact]:
    rows = _rows(session, select(
        KeyResult.id, KeyResult.objective_id, KeyResult.title, KeyResult.owner_id, KeyResult.progress,
        _raw(KeyResult.status), KeyResult.confidence, KeyResult.weight, KeyResult.target_value,
        _raw(KeyResult.last_progress_change_at), _raw(KeyResult.created_at), KeyResult.final_score,
        KeyResult.start_value, KeyResult.unit, _raw(KeyResult.measure),
    ).where(KeyResult.id.in_(kr_ids)).order_by(KeyResult.id))
    return [KeyResultFact(r[0], r[1], r[2], r[3], r[4], _text(r[5]), r[6], r[7], r[8],
                          utc_from_store(r[9]), utc_from_store(r[10]), r[11],
                          start_value=r[12], unit=r[13] or "", measure=_text(r[14]))
            for r in rows]


def _check_ins(session: Session, kr_ids) -> list[CheckInFact]:
    rows = _rows(session, select(
        CheckIn.id, CheckIn.key_result_id, _raw(CheckIn.created_at), _raw(CheckIn.status),
        CheckIn.confidence, CheckIn.note, CheckIn.blockers, CheckIn.wins,
    ).where(CheckIn.key_result_id.in_(kr_ids)).order_by(CheckIn.id))
    return [CheckInFact(r[0], r[1], utc_from_store(r[2]), _text(r[3]) if r[3] else None, r[4],
                        r[5] or "", r[6] or "", r[7] or "") for r in rows]


def _snapshots(session: Session, kr_ids) -> list[SnapshotFact]:
    rows = _rows(session, select(
        ProgressSnapshot.key_result_id, _raw(ProgressSnapshot.at), ProgressSnapshot.progress,
    ).where(ProgressSnapshot.key_result_id.in_(kr_ids)).order_by(ProgressSnapshot.id))
    return [SnapshotFact(kr_id, utc_from_store(at), progress) for kr_id, at, progress in rows]


def _linked(kr_ids):
    """WorkItem joined to the KRs whose links match it."""
    return (select(WorkItem).join(LinkItem, LinkItem.work_item_id == WorkItem.id)
            .join(WorkLink, WorkLink.id == LinkItem.work_link_id)
            .where(WorkLink.key_result_id.in_(kr_ids), WorkItem.deleted.is_(False)))


def _items(session: Session, kr_ids) -> list[ItemFact]:
    stmt = _linked(kr_ids).with_only_columns(
        WorkItem.id, WorkItem.connection_id, WorkItem.external_id, WorkItem.key,
        _raw(WorkItem.status_category), WorkLink.key_result_id)
    rows = _rows(session, stmt.order_by(WorkItem.id))
    krs: dict[int, set[int]] = defaultdict(set)
    first: dict[int, tuple] = {}
    for item_id, connection_id, external_id, key, status, kr_id in rows:
        krs[item_id].add(kr_id)
        first.setdefault(item_id, (connection_id, external_id, key, _text(status)))
    return [ItemFact(item_id, *first[item_id], tuple(sorted(krs[item_id]))) for item_id in first]


def _comments(session: Session, kr_ids) -> list[CommentFact]:
    linked = _linked(kr_ids).with_only_columns(WorkItem.connection_id, WorkItem.external_id)
    pairs = linked.subquery()
    rows = _rows(session, select(
        Comment.id, Comment.connection_id, Comment.item_external_id, Comment.body,
        _raw(Comment.created_at),
    ).join(pairs, (pairs.c.connection_id == Comment.connection_id)
           & (pairs.c.external_id == Comment.item_external_id))
        .where(Comment.deleted.is_(False)).order_by(Comment.id))
    unique = {row[0]: row for row in rows}   # an item matched by two KRs joins twice
    return [CommentFact(id, connection_id, item, body, utc_from_store(created))
            for id, connection_id, item, body, created in unique.values()]


def _relations(session: Session, kr_ids) -> list[RelationFact]:
    pairs = _linked(kr_ids).with_only_columns(WorkItem.connection_id, WorkItem.external_id) \
        .subquery()
    rows = session.execute(select(
        ItemRelation.connection_id, ItemRelation.blocker_external_id,
        ItemRelation.blocked_external_id,
    ).join(pairs, (pairs.c.connection_id == ItemRelation.connection_id)
           & (pairs.c.external_id == ItemRelation.blocker_external_id))).all()
    return sorted({RelationFact(*row) for row in rows},
                  key=lambda r: (r.connection_id, r.blocker_external_id, r.blocked_external_id))


def _past_cycles(session: Session, cycle: Cycle, conditions: list) -> list[PastCycleFact]:
    rows = session.execute(select(Cycle.id, Cycle.name, Cycle.end_date, Objective.final_score)
                           .join(Objective, Objective.cycle_id == Cycle.id)
                           .where(Cycle.status.in_([CycleStatus.CLOSED, CycleStatus.ARCHIVED]),
                                  Cycle.end_date < cycle.start_date,
                                  Objective.final_score.is_not(None), *conditions)
                           .order_by(Cycle.id, Objective.id)).all()
    grouped: dict[int, list] = {}
    names: dict[int, tuple] = {}
    for cycle_id, name, end_date, score in rows:
        grouped.setdefault(cycle_id, []).append(score)
        names[cycle_id] = (name, end_date)
    return [PastCycleFact(cid, names[cid][0], names[cid][1], tuple(scores))
            for cid, scores in grouped.items()]
