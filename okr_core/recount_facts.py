"""What recounting key results reads, loaded for many KRs at once (a fixed number of queries, not
some per KR). Linked items are summed up by the store, a row per KR and connection, not sent over."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import Session

from okr_core.connection_settings import ConnectionSettings
from okr_core.domain import StatusCategory
from okr_core.models import CheckIn, Connection, Cycle, LinkItem, Objective, WorkItem, WorkLink
from okr_core.rules import CheckInView, ItemCounts, WorkTotals
from okr_core.store import in_filters

# Only what counting reads (okr_core.rules.measures.CountableItem), and whose default estimate.
COUNTED_COLUMNS = (WorkItem.external_id, WorkItem.tracker_updated_at.label("updated_at"),
                   WorkItem.status_category, WorkItem.estimate, WorkItem.deleted,
                   WorkItem.connection_id, WorkItem.id.label("row_id"))
NO_WORK = WorkTotals(ItemCounts(0, 0, 0.0, 0.0), 0, 0)


@dataclass
class RecountFacts:
    """Linked work summed up and latest check-in per KR, and each objective's cycle."""

    totals: dict[int, WorkTotals] = field(default_factory=dict)
    latest_checkin: dict[int, CheckInView] = field(default_factory=dict)
    cycles: dict[int, Cycle] = field(default_factory=dict)
    default_estimates: dict[int, float] = field(default_factory=dict)   # by connection id


def load_recount_facts(session: Session, kr_ids: Sequence[int],
                       objective_ids: Sequence[int] = ()) -> RecountFacts:
    """Everything `refresh_key_result` reads for these KRs (and the cycles of these objectives)."""
    ids = sorted(set(kr_ids))
    facts = RecountFacts(totals=dict.fromkeys(ids, NO_WORK))
    for matching in in_filters(session, WorkLink.key_result_id, ids):
        _load_totals(session, matching, facts)
    for matching in in_filters(session, CheckIn.key_result_id, ids):
        _load_latest_checkins(session, matching, facts)
    for matching in in_filters(session, Objective.id, sorted(set(objective_ids))):
        rows = session.execute(select(Objective.id, Cycle).join(Cycle, Cycle.id == Objective.cycle_id)
                               .where(matching))
        facts.cycles.update((objective_id, cycle) for objective_id, cycle in rows)
    return facts


def _load_totals(session: Session, matching, facts: RecountFacts) -> None:
    """What `okr_core.rules.work_totals` makes of each KR's linked items, summed by the store.

    An item two links of one KR match (or two connections' copies of one external id) counts
    once, its newest copy deciding; deleted items are left out. Unestimated items are counted
    apart and weigh their connection's default estimate here."""
    for row in session.execute(_totals_query(session, matching)):
        default = _default_estimate_of(session, row.connection_id, facts)
        before = facts.totals[row.key_result_id]
        counts = before.counts
        facts.totals[row.key_result_id] = WorkTotals(
            ItemCounts(counts.items_total + row.total, counts.items_done + row.done,
                       counts.points_total + float(row.points_total) + default * row.unestimated_total,
                       counts.points_done + float(row.points_done) + default * row.unestimated_done),
            before.items_live + row.live, before.items_open + row.open)


def _totals_query(session: Session, matching):
    """One row per KR and connection: live, open, total and done items, known points total and
    done, unestimated items total and done (the newest copy of each external id, not deleted)."""
    linked = _linked_items(session).where(matching).subquery("linked")
    rank = func.row_number().over(partition_by=(linked.c.key_result_id, linked.c.external_id),
                                  order_by=(linked.c.updated_at.desc(), linked.c.row_id.desc()))
    ranked = select(linked, rank.label("copy")).subquery("ranked")
    item = ranked.c
    counted = item.status_category != StatusCategory.CANCELED
    done = item.status_category == StatusCategory.DONE
    known = item.estimate.is_not(None)

    def number(condition):
        return func.sum(case((condition, 1), else_=0))

    def points(condition):
        return func.sum(case((and_(condition, known), item.estimate), else_=0.0))

    return (select(item.key_result_id, item.connection_id, func.count().label("live"),
                   number(item.status_category.not_in((StatusCategory.DONE, StatusCategory.CANCELED)))
                   .label("open"),
                   number(counted).label("total"), number(done).label("done"),
                   points(counted).label("points_total"), points(done).label("points_done"),
                   number(and_(counted, ~known)).label("unestimated_total"),
                   number(and_(done, ~known)).label("unestimated_done"))
            .where(item.copy == 1, item.deleted.is_(False))
            .group_by(item.key_result_id, item.connection_id))


def _default_estimate_of(session: Session, connection_id: int, facts: RecountFacts) -> float:
    if connection_id not in facts.default_estimates:
        facts.default_estimates[connection_id] = _default_estimate(session, connection_id)
    return facts.default_estimates[connection_id]


def _default_estimate(session: Session, connection_id: int) -> float:
    """The points an unestimated item of this connection counts for (the admin sets it)."""
    stored = session.scalar(select(Connection.settings).where(Connection.id == connection_id))
    default = ConnectionSettings.from_stored(stored).default_estimate
    if default < 0:   # a negative size would make progress run backwards
        raise ValueError(f"default_estimate must be >= 0, got {default}")
    return default


def _linked_items(session: Session):
    """(key_result_id, *COUNTED_COLUMNS) of every item each work link counts.

    PostgreSQL: the items of each link in a LATERAL subquery kept apart by OFFSET 0, so each
    link's members are found through the link_items key and the work_items primary key. As one
    flat join, the planner hashed the whole of both tables for every chunk of KRs recounted
    (a chunk of 50 KRs is a few % of the rows), and the end of a pass grew with the square of
    its size. https://www.postgresql.org/docs/current/queries-table-expressions.html#QUERIES-LATERAL
    """
    if session.get_bind().dialect.name != "postgresql":
        return (select(WorkLink.key_result_id, *COUNTED_COLUMNS)
                .join(LinkItem, LinkItem.work_link_id == WorkLink.id)
                .join(WorkItem, WorkItem.id == LinkItem.work_item_id))
    members = (select(*COUNTED_COLUMNS).select_from(LinkItem)
               .join(WorkItem, WorkItem.id == LinkItem.work_item_id)
               .where(LinkItem.work_link_id == WorkLink.id).offset(0).lateral("members"))
    return select(WorkLink.key_result_id, *members.c).select_from(WorkLink).join(members, true())


def _load_latest_checkins(session: Session, matching, facts: RecountFacts) -> None:
    """The newest check-in of each KR (created_at, then id), when it sets a status."""
    rank = func.row_number().over(partition_by=CheckIn.key_result_id,
                                  order_by=(CheckIn.created_at.desc(), CheckIn.id.desc())).label("rank")
    ranked = (select(CheckIn.key_result_id, CheckIn.status, CheckIn.confidence, CheckIn.created_at, rank)
              .where(matching).subquery())
    for row in session.execute(select(ranked).where(ranked.c.rank == 1)):
        if row.status is not None:
            facts.latest_checkin[row.key_result_id] = CheckInView(row.status, row.confidence,
                                                                  row.created_at)
