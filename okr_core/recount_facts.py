"""What recounting key results reads, loaded for many KRs at once (three queries, not three per KR)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, Sequence

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from okr_core.connection_settings import ConnectionSettings
from okr_core.domain import StatusCategory
from okr_core.models import CheckIn, Connection, Cycle, LinkItem, Objective, WorkItem, WorkLink
from okr_core.rules import CheckInView
from okr_core.rules.measures import CountableItem
from okr_core.store import in_filters

# Only what counting reads (okr_core.rules.measures.CountableItem): rows, not domain objects.
COUNTED_COLUMNS = (WorkItem.external_id, WorkItem.tracker_updated_at.label("updated_at"),
                   WorkItem.status_category, WorkItem.estimate, WorkItem.deleted,
                   WorkItem.connection_id)


class CountedItem(NamedTuple):
    """A linked item as counting sees it: unestimated, it weighs its connection's default estimate."""

    external_id: str
    updated_at: datetime
    status_category: StatusCategory
    estimate: float
    deleted: bool


@dataclass
class RecountFacts:
    """Linked items and latest check-in per KR, and each objective's cycle."""

    items: dict[int, list[CountableItem]] = field(default_factory=dict)
    latest_checkin: dict[int, CheckInView] = field(default_factory=dict)
    cycles: dict[int, Cycle] = field(default_factory=dict)
    default_estimates: dict[int, float] = field(default_factory=dict)   # by connection id


def load_recount_facts(session: Session, kr_ids: Sequence[int],
                       objective_ids: Sequence[int] = ()) -> RecountFacts:
    """Everything `refresh_key_result` reads for these KRs (and the cycles of these objectives)."""
    ids = sorted(set(kr_ids))
    facts = RecountFacts(items={kr_id: [] for kr_id in ids})
    for matching in in_filters(session, WorkLink.key_result_id, ids):
        _load_items(session, matching, facts)
    for matching in in_filters(session, CheckIn.key_result_id, ids):
        _load_latest_checkins(session, matching, facts)
    for matching in in_filters(session, Objective.id, sorted(set(objective_ids))):
        rows = session.execute(select(Objective.id, Cycle).join(Cycle, Cycle.id == Objective.cycle_id)
                               .where(matching))
        facts.cycles.update((objective_id, cycle) for objective_id, cycle in rows)
    return facts


def _load_items(session: Session, matching, facts: RecountFacts) -> None:
    # An item two links of one KR match comes twice; counting keeps one per external id.
    defaults: dict[int, float] = facts.default_estimates
    for row in session.execute(_linked_items(session).where(matching)):
        estimate = row.estimate
        if estimate is None:
            if row.connection_id not in defaults:
                defaults[row.connection_id] = _default_estimate(session, row.connection_id)
            estimate = defaults[row.connection_id]
        facts.items[row.key_result_id].append(CountedItem(
            row.external_id, row.updated_at, row.status_category, estimate, row.deleted))


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
