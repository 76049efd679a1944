"""The delivery job: apply one stored webhook delivery to the store, its effect exactly once."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from connector.registry import tracker as tracker_traits
from connector.webhook import DeliveryEffect
from connector.jira.reading import SITE_FACTS, ReadingRules
from okr_core import domain
from okr_core.connection_settings import ConnectionSettings
from okr_core.delivery_state import CLAIMABLE, is_claimable, mark_attempt_failed, mark_done
from okr_core.domain import TrackerKind
from okr_core.models import Connection, Delivery, WorkItem
from okr_core.recount import recount
from plumbing.db import job_session
from plumbing.handoff import DELIVERY_RETRY, deferred_job_id
from plumbing.queue import QueueUnavailable, enqueue, RetryPolicy
from sync.connectors import connector_for, job_connector_for
from sync.followups import followups_for
from sync.ingest.memberships import MembershipChanges, container_links, update_memberships
from sync.ingest.upserts import delete_comment, mark_item_deleted, upsert_comment, upsert_item
from webhooks import events
from sync.ingest.items import COMPARED
from sync.link_item_checks import enqueue_item_checks
from sync.tracker_health import TrackerWait, call_tracker
from connector.payload import from_millis, from_millis_or_iso
from webhooks.routing import plan_delivery

log = logging.getLogger("okrsync.sync.deliveries")



@dataclass(frozen=True)
class PlannedDelivery:
    """A stored delivery decoded and planned, ready to re-read and apply."""

    delivery_id: int
    connection: Connection
    effect: DeliveryEffect
    occurred_at: datetime | None
    payload_author: str | None = None   # Jira `user.accountId` of who made the change


def process_delivery(delivery_id: int) -> str:
    """Apply a stored delivery unless already applied; 'done', 'skipped' or 'deferred' (its
    tracker failed or is waited for: the job is queued again for later, never slept in)."""
    planned = load_plan(delivery_id)
    if planned is None:
        return "skipped"
    try:
        fresh = reread_items(planned)
        with job_session() as session:
            changes = apply_once(session, planned, fresh, datetime.now(timezone.utc))
    except TrackerWait as wait:
        return defer_delivery(delivery_id, wait.seconds, wait.error or wait)
    except Exception as exc:  # recorded for the admins, then re-raised so the queue retries
        record_failure(delivery_id, exc)
        raise
    if changes is None:
        return "skipped"
    enqueue_link_resolutions(changes.links_to_resolve, delivery_id)
    enqueue_item_checks(planned.connection.id, changes.links_to_check, changes.items_to_check,
                        delivery_id)
    changes.followups.queue()
    return "done"


def load_plan(delivery_id: int) -> PlannedDelivery | None:
    """Decode and plan a delivery still to process; None when it is gone or already handled."""
    connection = decoded = None
    with job_session() as session:
        row = session.get(Delivery, delivery_id)
        if row is not None and is_claimable(row):
            connection = session.get(Connection, row.connection_id)
            decoded = decode_stored(row, connection.tracker)
    if decoded is None:
        log.info("deliveries.skip-not-claimable", extra={"delivery_id": delivery_id})
        return None
    effect = plan_delivery(decoded, jira_rules=ReadingRules.from_settings(connection.settings))
    author = (decoded.payload.get("user") or {}) if isinstance(decoded.payload, dict) else {}
    return PlannedDelivery(delivery_id, connection, effect, decoded.occurred_at,
                           author.get("accountId") if isinstance(author, dict) else None)


def decode_stored(row: Delivery, tracker: TrackerKind) -> events.Delivery:
    """The stored body as the parser's Delivery; it was verified when it arrived."""
    payload = json.loads(row.body)
    return events.Delivery(tracker=tracker, event_type=row.event_type, dedupe_key=row.dedupe_key,
                           payload=payload, received_at=row.received_at,
                           occurred_at=tracker_traits(tracker).webhooks.occurred_at(payload))


def reread_items(planned: PlannedDelivery) -> list[domain.WorkItem]:
    """Read the items the payload could not describe fully, outside any transaction.

    TrackerWait when the connection's tracker is failing or waited for.
    """
    ids = sorted(set(planned.effect.reread))
    if not ids:
        return []
    connector = job_connector_for(planned.connection)
    items = call_tracker(planned.connection.id, lambda: connector.get_items(ids))
    missing = set(ids) - {item.external_id for item in items} - {item.key for item in items}
    if missing:
        log.info("deliveries.reread-missing", extra={"delivery_id": planned.delivery_id,
                                                     "missing": sorted(missing)})
    return items


def apply_once(session: Session, planned: PlannedDelivery, fresh: list[domain.WorkItem],
               now: datetime) -> MembershipChanges | None:
    """Claim the delivery (row lock) and apply its effect in the same transaction."""
    delivery = session.scalars(select(Delivery).where(Delivery.id == planned.delivery_id)
                               .with_for_update().execution_options(populate_existing=True)).first()
    if delivery is None or not is_claimable(delivery):
        return None  # a concurrent run applied it while we were re-reading
    connection = planned.connection
    rows = apply_items(session, planned, fresh, now)
    changes = update_memberships(session, connection.id, rows)
    # Links only the tracker can evaluate: one call per link and changed item, not a full re-read.
    changes.links_to_check, changes.links_to_resolve = changes.links_to_resolve, set()
    changes.items_to_check = {row.external_id for row in rows if not row.deleted}
    changes.links_to_resolve |= container_links(session, connection.id, planned.effect.project_refs)
    moved = recount(session, changes.key_result_ids, now)
    changes.followups = followups_for(session, moved)
    mark_done(delivery, now)
    return changes


def apply_items(session: Session, planned: PlannedDelivery, fresh: list[domain.WorkItem],
                now: datetime) -> list:
    """Upsert, delete and comment as planned; the item rows that changed."""
    connection, effect = planned.connection, planned.effect
    keep_estimate = tracker_traits(connection.tracker).webhooks.keeps_stored_estimate(
        connection.settings)
    changed, ours = {}, caused_by_okrsync(connection, planned.payload_author)
    for items, keep in ((effect.upserts, keep_estimate), (fresh, False)):
        # Sorted, so that concurrent jobs lock item rows in one order and cannot deadlock.
        for item in sorted(items, key=lambda i: (i.external_id, i.updated_at)):
            before = _standing(session, connection.id, item.external_id)
            row = upsert_item(session, connection.id, item, keep_estimate=keep)
            # okrsync's own write (a mirror's description) moved only the tracker's time: nothing
            # progress reads changed, so no membership, link or recount work follows.
            if row is not None and not (ours and _values_of(row) == before):
                changed[row.id] = row
    for external_id in sorted(effect.deletions):
        row = mark_item_deleted(session, connection.id, external_id, planned.occurred_at or now)
        if row is not None:
            changed[row.id] = row
    for comment in effect.comment_upserts:
        upsert_comment(session, connection.id, comment)
    for external_id in effect.comment_deletions:
        delete_comment(session, connection.id, external_id)
    return list(changed.values())


def caused_by_okrsync(connection: Connection, author: str | None) -> bool:
    """Whether the delivery's author is the account okrsync writes as (Jira: cached /myself)."""
    facts = (connection.settings or {}).get(SITE_FACTS) or {}
    return author is not None and author == facts.get("account_id")


def _values_of(row: WorkItem) -> tuple:
    return tuple(getattr(row, name) for name in COMPARED)


def _standing(session: Session, connection_id: int, external_id: str) -> tuple | None:
    """The compared columns of a stored item, or None when it is not stored."""
    found = session.execute(select(*(getattr(WorkItem, name) for name in COMPARED)).where(
        WorkItem.connection_id == connection_id, WorkItem.external_id == external_id)).first()
    return tuple(found) if found is not None else None


def record_failure(delivery_id: int, exc: Exception) -> None:
    """Count the failed attempt and keep its error; 'failed' once the retries are used up."""
    log.warning("deliveries.attempt-failed", extra={"delivery_id": delivery_id,
                                                    "error": f"{type(exc).__name__}: {exc}"})
    try:
        with job_session() as session:
            row = session.scalars(select(Delivery).where(Delivery.id == delivery_id)
                                  .with_for_update()).first()
            if row is None or not is_claimable(row):
                return
            mark_attempt_failed(row, f"{type(exc).__name__}: {exc}", DELIVERY_RETRY.max)
    except SQLAlchemyError as db_exc:
        log.error("deliveries.failure-not-recorded",
                  extra={"delivery_id": delivery_id, "error": type(db_exc).__name__})


def defer_delivery(delivery_id: int, wait: float, error: Exception | None = None) -> str:
    """Queue the delivery again `wait` seconds from now, no attempt counted; 'deferred'.

    Its enqueued_at is set to that time, so the sweeper leaves it alone until well after it;
    the job id names the time, so repeated deferrals to the same time queue one job.
    """
    retry_at = datetime.now(timezone.utc) + timedelta(seconds=wait)
    values = {"enqueued_at": retry_at}
    if error is not None:
        values["last_error"] = f"{type(error).__name__}: {error}"[:4000]
    with job_session() as session:
        session.execute(update(Delivery).where(Delivery.id == delivery_id,
                                               Delivery.state.in_(CLAIMABLE))
                        .values(**values))
    try:
        enqueue("process_delivery", delivery_id, retry=DELIVERY_RETRY, delay=wait,
                job_id=deferred_job_id(delivery_id, retry_at))
    except QueueUnavailable as exc:
        log.warning("deliveries.defer-unqueued", extra={"delivery_id": delivery_id,
                                                        "error": str(exc)})
    log.info("deliveries.deferred", extra={"delivery_id": delivery_id, "wait_seconds": wait})
    return "deferred"


def enqueue_link_resolutions(link_ids: set[int], delivery_id: int) -> None:
    """Ask the tracker to re-evaluate links it alone can answer (JQL, filters, initiatives...)."""
    for link_id in sorted(link_ids):
        try:
            # One resolution per link and delivery: a retried delivery does not queue it twice.
            enqueue("resolve_link", link_id, job_id=f"resolve-link-{link_id}-delivery-{delivery_id}")
        except QueueUnavailable as exc:
            # The next reconcile pass re-resolves every link; nothing durable is lost here.
            log.warning("deliveries.resolve-link-unqueued",
                        extra={"link_id": link_id, "error": str(exc)})
