"""Loads the facts of one cycle for one viewer and scope, in a fixed number of queries."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import or_, select
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


def _objectives(session: Session, where: list) -> list[ObjectiveFact]:
    rows = session.scalars(select(Objective).where(*where).order_by(Objective.id)).all()
    return [ObjectiveFact(o.id, o.title, str(o.level), o.team_id, o.owner_id, o.parent_id,
                          o.progress, o.final_score) for o in rows]


def _key_results(session: Session, kr_ids) -> list[KeyResultFact]:
    rows = session.scalars(select(KeyResult).where(KeyResult.id.in_(kr_ids))
                           .order_by(KeyResult.id)).all()
    return [KeyResultFact(kr.id, kr.objective_id, kr.title, kr.owner_id, kr.progress,
                          str(kr.status), kr.confidence, kr.weight, kr.target_value,
                          kr.last_progress_change_at, kr.created_at, kr.final_score,
                          start_value=kr.start_value, unit=kr.unit or "",
                          measure=str(kr.measure))
            for kr in rows]


def _check_ins(session: Session, kr_ids) -> list[CheckInFact]:
    rows = session.execute(select(
        CheckIn.id, CheckIn.key_result_id, CheckIn.created_at, CheckIn.status,
        CheckIn.confidence, CheckIn.note, CheckIn.blockers, CheckIn.wins,
    ).where(CheckIn.key_result_id.in_(kr_ids)).order_by(CheckIn.id)).all()
    return [CheckInFact(r[0], r[1], r[2], str(r[3]) if r[3] else None, r[4], r[5] or "",
                        r[6] or "", r[7] or "") for r in rows]


def _snapshots(session: Session, kr_ids) -> list[SnapshotFact]:
    rows = session.execute(select(
        ProgressSnapshot.key_result_id, ProgressSnapshot.at, ProgressSnapshot.progress,
    ).where(ProgressSnapshot.key_result_id.in_(kr_ids)).order_by(ProgressSnapshot.id)).all()
    return [SnapshotFact(*row) for row in rows]


def _linked(kr_ids):
    """WorkItem joined to the KRs whose links match it."""
    return (select(WorkItem).join(LinkItem, LinkItem.work_item_id == WorkItem.id)
            .join(WorkLink, WorkLink.id == LinkItem.work_link_id)
            .where(WorkLink.key_result_id.in_(kr_ids), WorkItem.deleted.is_(False)))


def _items(session: Session, kr_ids) -> list[ItemFact]:
    stmt = _linked(kr_ids).with_only_columns(
        WorkItem.id, WorkItem.connection_id, WorkItem.external_id, WorkItem.key,
        WorkItem.status_category, WorkLink.key_result_id)
    rows = session.execute(stmt.order_by(WorkItem.id)).all()
    krs: dict[int, set[int]] = defaultdict(set)
    first: dict[int, tuple] = {}
    for item_id, connection_id, external_id, key, status, kr_id in rows:
        krs[item_id].add(kr_id)
        first.setdefault(item_id, (connection_id, external_id, key, str(status)))
    return [ItemFact(item_id, *first[item_id], tuple(sorted(krs[item_id]))) for item_id in first]


def _comments(session: Session, kr_ids) -> list[CommentFact]:
    linked = _linked(kr_ids).with_only_columns(WorkItem.connection_id, WorkItem.external_id)
    pairs = linked.subquery()
    rows = session.execute(select(
        Comment.id, Comment.connection_id, Comment.item_external_id, Comment.body,
        Comment.created_at,
    ).join(pairs, (pairs.c.connection_id == Comment.connection_id)
           & (pairs.c.external_id == Comment.item_external_id))
        .where(Comment.deleted.is_(False)).order_by(Comment.id)).all()
    unique = {row[0]: row for row in rows}   # an item matched by two KRs joins twice
    return [CommentFact(*row) for row in unique.values()]


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
