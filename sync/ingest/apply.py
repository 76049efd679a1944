"""The one way tracker items reach the store: `ingest` applies a plan (items, deletions, then
membership moves) inside the caller's transaction. Webhook deliveries, link resolution, reconcile
pages and search scopes all plan with `sync.ingest.plan` and come here; a reconcile pass's cursor
and pending KRs are kept here too."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Iterable, Sequence

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from okr_core.models import KeyResult, LinkItem, SyncState, WorkItem, utcnow
from okr_core.store import in_filters
from sync.ingest.items import ItemChanges, insert_new, update_if_newer
from sync.ingest.pg_bulk import insert_link_items
from sync.ingest.plan import LinkView, PagePlan, StoredItem, plan_resolution

PENDING = "pending_key_results"   # KRs whose items changed in committed pages, not yet recounted
MOVED = "moved_key_results"       # KRs recounted while a pass read, their write-backs not yet queued
PART_CURSORS = "part_cursors"     # each part of a split pass's own cursor, by part name (kept)


def load_stored(session: Session, connection_id: int, external_ids: Iterable[str],
                lock: bool = False) -> dict[str, StoredItem]:
    """Stored row, tracker time and current links of each of these external ids. `lock`: hold
    the item rows until the transaction ends, taken in external id order (so that deliveries
    changing the same items queue up and cannot deadlock)."""
    found: dict[str, tuple[int, datetime]] = {}
    for matching in in_filters(session, WorkItem.external_id, sorted(set(external_ids))):
        query = (select(WorkItem.external_id, WorkItem.id, WorkItem.tracker_updated_at)
                 .where(WorkItem.connection_id == connection_id, matching))
        if lock:
            query = query.order_by(WorkItem.external_id).with_for_update()
        for row in session.execute(query):
            found[row.external_id] = (row.id, row.tracker_updated_at)
    links: dict[int, set[int]] = defaultdict(set)
    for matching in in_filters(session, LinkItem.work_item_id, [row_id for row_id, _ in found.values()]):
        for link_id, item_id in session.execute(select(LinkItem.work_link_id, LinkItem.work_item_id)
                                                .where(matching)):
            links[item_id].add(link_id)
    return {ext: StoredItem(row_id, at, frozenset(links.get(row_id, ())))
            for ext, (row_id, at) in found.items()}


def current_members(session: Session, link_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """External ids of the items each link counts now."""
    members: dict[int, set[str]] = defaultdict(set)
    rows = session.execute(select(LinkItem.work_link_id, WorkItem.external_id)
                           .join(WorkItem, WorkItem.id == LinkItem.work_item_id)
                           .where(LinkItem.work_link_id.in_(list(link_ids))))
    for link_id, external_id in rows:
        members[link_id].add(external_id)
    return {link_id: frozenset(members.get(link_id, ())) for link_id in link_ids}


def ingest(session: Session, connection_id: int, plan: PagePlan,
           stored: dict[str, StoredItem] | None = None) -> int:
    """Store the plan: its items (each only while the store holds nothing newer), its deletions
    (memberships of deleted items go with them), its membership moves; how many items were newer.
    `stored` is what planning read (read here when None)."""
    if stored is None:
        stored = load_stored(session, connection_id,
                             [i.external_id for i in plan.upserts] + list(plan.deletions))
    changes = ItemChanges()
    upserts = sorted(plan.upserts, key=lambda i: i.external_id)   # row locks in one order
    insert_new(session, connection_id, [i for i in upserts if i.external_id not in stored], changes,
               plan.estimate_kept)
    update_if_newer(session, [(stored[i.external_id].row_id, i) for i in upserts
                              if i.external_id in stored], plan.estimate_kept)
    row_ids = {ext: known.row_id for ext, known in stored.items()}
    row_ids.update(changes.rows)
    flag_deleted(session, {row_ids[ext]: at for ext, at in plan.deletions.items() if ext in row_ids})
    missing = {ext for _, ext in plan.member_adds | plan.member_removes} - set(row_ids)
    if missing:
        row_ids.update(load_row_ids(session, connection_id, missing))
    add_members(session, [(link_id, row_ids[ext]) for link_id, ext in plan.member_adds])
    remove_members(session, [(link_id, row_ids[ext]) for link_id, ext in plan.member_removes
                             if ext in row_ids])
    return len(plan.upserts) - changes.stale


def flag_deleted(session: Session, deleted_at: dict[int, datetime | None]) -> None:
    """Flag item rows deleted and drop their memberships. With a time (a delivery said when), the
    row's tracker time moves up to it, so that an older copy of the item cannot bring it back."""
    rows = sorted(deleted_at)
    for matching in in_filters(session, LinkItem.work_item_id, rows):
        session.execute(delete(LinkItem).where(matching))
    for matching in in_filters(session, WorkItem.id, rows):
        session.execute(update(WorkItem).where(matching).values(deleted=True)
                        .execution_options(synchronize_session=False))
    table = WorkItem.__table__
    dated = [{"row_id": row_id, "at": at} for row_id, at in sorted(deleted_at.items()) if at]
    if dated:
        session.execute(update(table).where(table.c.id == bindparam("row_id"),
                                            table.c.tracker_updated_at < bindparam("at"))
                        .values(tracker_updated_at=bindparam("at")), dated)


def load_row_ids(session: Session, connection_id: int, external_ids: Iterable[str]) -> dict[str, int]:
    """Row ids of stored items by external id."""
    found = {}
    for matching in in_filters(session, WorkItem.external_id, sorted(external_ids)):
        found.update(session.execute(select(WorkItem.external_id, WorkItem.id).where(
            WorkItem.connection_id == connection_id, matching)).all())
    return found


def add_members(session: Session, pairs: list[tuple[int, int]]) -> None:
    """Insert link memberships; a pair a webhook inserted meanwhile is left alone."""
    if not pairs:
        return
    unique = sorted(set(pairs))
    if session.get_bind().dialect.name == "postgresql":
        insert_link_items(session, unique)
        return
    # Core on the table: a plain executemany, without the ORM's per-row bulk bookkeeping.
    statement = sqlite_insert(LinkItem.__table__).on_conflict_do_nothing(
        index_elements=["work_link_id", "work_item_id"])
    session.execute(statement, [{"work_link_id": link_id, "work_item_id": item_id}
                                for link_id, item_id in unique])


def remove_members(session: Session, pairs: list[tuple[int, int]]) -> None:
    """Delete link memberships, one statement per link."""
    by_link: dict[int, list[int]] = defaultdict(list)
    for link_id, item_id in pairs:
        by_link[link_id].append(item_id)
    for link_id, item_ids in sorted(by_link.items()):
        for matching in in_filters(session, LinkItem.work_item_id, sorted(item_ids)):
            session.execute(delete(LinkItem).where(LinkItem.work_link_id == link_id, matching))


def sync_state(session: Session, connection_id: int) -> SyncState:
    """The connection's SyncState row, created when missing (two first passes may race to it)."""
    state = session.get(SyncState, connection_id)
    if state is None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(SyncState).values(connection_id=connection_id, last_counts={})
                        .on_conflict_do_nothing(index_elements=["connection_id"]))
        state = session.get(SyncState, connection_id)
    return state


def locked_sync_state(session: Session, connection_id: int) -> SyncState:
    """The SyncState row, locked until the transaction ends (FOR UPDATE on PostgreSQL): the parts
    of a split pass and their recounts rewrite its JSON at once, and none may lose another's."""
    sync_state(session, connection_id)
    return session.get(SyncState, connection_id, with_for_update=True, populate_existing=True)


def record_progress(session: Session, connection_id: int, cursor: datetime | None,
                    key_result_ids: Iterable[int], part: str | None = None) -> None:
    """Advance the cursor and remember KRs to recount, in the transaction that stored the page.
    `part`: the page belongs to that part of a split pass, and the cursor is the part's own.

    The KRs are share-locked first (PostgreSQL): a recount holding one (FOR UPDATE) finishes
    before this page commits, so the page's items are either in that count or pending after it
    (sync.reconcile.finish drops a KR from the pending list only once it has counted it)."""
    key_result_ids = sorted(set(key_result_ids))
    if key_result_ids and session.get_bind().dialect.name == "postgresql":
        for matching in in_filters(session, KeyResult.id, key_result_ids):
            session.execute(select(KeyResult.id).where(matching).order_by(KeyResult.id)
                            .with_for_update(read=True))
    state = locked_sync_state(session, connection_id)
    if part is not None:
        _advance_part_cursor(state, part, cursor)
    elif cursor is not None and (state.cursor is None or cursor > state.cursor):
        state.cursor = cursor
    pending = set((state.last_counts or {}).get(PENDING, ())) | set(key_result_ids)
    if pending != set((state.last_counts or {}).get(PENDING, ())):
        state.last_counts = {**(state.last_counts or {}), PENDING: sorted(pending)}


def _advance_part_cursor(state: SyncState, part: str, cursor: datetime | None) -> None:
    cursors = dict((state.last_counts or {}).get(PART_CURSORS) or {})
    if cursor is None or (part in cursors and datetime.fromisoformat(cursors[part]) >= cursor):
        return
    cursors[part] = cursor.isoformat()
    state.last_counts = {**(state.last_counts or {}), PART_CURSORS: cursors}


def part_cursor(state: SyncState, part: str) -> datetime | None:
    """The cursor a part of a split pass reached in earlier passes, if any."""
    stored = ((state.last_counts or {}).get(PART_CURSORS) or {}).get(part)
    return datetime.fromisoformat(stored) if stored else None


def mark_seen(session: Session, connection_id: int, external_ids: Iterable[str]) -> None:
    """Stamp synced_at on stored items a full read returned (the deletion check reads the stamp)."""
    for matching in in_filters(session, WorkItem.external_id, sorted(external_ids)):
        session.execute(update(WorkItem).where(WorkItem.connection_id == connection_id, matching)
                        .values(synced_at=utcnow()).execution_options(synchronize_session=False))


def unseen_live_ids(session: Session, connection_id: int, read_from: datetime) -> list[str]:
    """External ids of live stored items nothing stamped since `read_from` (a full read missed them)."""
    return list(session.scalars(select(WorkItem.external_id).where(
        WorkItem.connection_id == connection_id, WorkItem.deleted.is_(False),
        WorkItem.synced_at < read_from).order_by(WorkItem.external_id)))


def ingest_resolution(session: Session, connection_id: int, links: Sequence[LinkView],
                      items: Sequence) -> PagePlan:
    """Store what the tracker says a search scope matches now: those items become exactly the
    members of the links sharing it (deleted ones never count). The plan applied."""
    stored = load_stored(session, connection_id, (i.external_id for i in items))
    plan = plan_resolution(links, items, current_members(session, [link.id for link in links]),
                           stored)
    ingest(session, connection_id, plan, stored)
    return plan
