"""The delivery job: apply one stored webhook delivery to the store, its effect exactly once."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from connector.registry import tracker as tracker_traits
from connector.webhook import DeliveryEffect
from okr_core import domain
from okr_core.delivery_state import CLAIMABLE, is_claimable, mark_attempt_failed, mark_done
from okr_core.domain import LinkKind, TrackerKind
from okr_core.models import Connection, Delivery, WorkLink
from okr_core.recount import recount
from plumbing.db import job_session
from plumbing.handoff import DELIVERY_RETRY, deferred_job_id
from plumbing.queue import QueueUnavailable, enqueue
from sync.connections.connectors import job_connector_for
from sync.followups import Followups, followups_for
from sync.ingest.apply import ingest, load_stored
from sync.ingest.batch_links import PassLinks
from sync.ingest.items import newest_per_id, unchanged_ids
from sync.ingest.plan import PagePlan, plan_delivery_items
from sync.ingest.comments import delete_comment, upsert_comment
from sync.ingest.link_item_checks import enqueue_item_checks
from sync.connections.tracker_health import TrackerWait, call_tracker
from webhooks import events
from webhooks.routing import plan_delivery

log = logging.getLogger("okrsync.sync.deliveries")



@dataclass(frozen=True)
class PlannedDelivery:
    """A stored delivery decoded and planned, ready to re-read and apply."""

    delivery_id: int
    connection: Connection
    effect: DeliveryEffect
    occurred_at: datetime | None
    own_change: bool = False   # okrsync's own write coming back (the dialect tells)


@dataclass
class DeliveryChanges:
    """What applying a delivery leaves to do once its transaction commits."""

    followups: Followups
    links_to_resolve: set[int] = field(default_factory=set)   # re-read in full (containers)
    links_to_check: set[int] = field(default_factory=set)     # asked item by item (link_item_checks)
    items_to_check: set[str] = field(default_factory=set)


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
    effect = plan_delivery(decoded, connection.settings)
    own = isinstance(decoded.payload, dict) and tracker_traits(connection.tracker).webhooks \
        .is_own_change(decoded.payload, connection.settings)
    return PlannedDelivery(delivery_id, connection, effect, decoded.occurred_at, own)


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
               now: datetime) -> DeliveryChanges | None:
    """Claim the delivery (row lock) and apply its effect in the same transaction."""
    delivery = session.scalars(select(Delivery).where(Delivery.id == planned.delivery_id)
                               .with_for_update().execution_options(populate_existing=True)).first()
    if delivery is None or not is_claimable(delivery):
        return None  # a concurrent run applied it while we were re-reading
    connection_id, effect = planned.connection.id, planned.effect
    links = PassLinks.load(session, connection_id)
    plan, stored, quiet = plan_items(session, planned, fresh, links, now)
    ingest(session, connection_id, plan, stored)
    for comment in effect.comment_upserts:
        upsert_comment(session, connection_id, comment)
    for external_id in effect.comment_deletions:
        delete_comment(session, connection_id, external_id)
    changes = DeliveryChanges(followups_for(session, recount(session, plan.key_result_ids, now)))
    # Links only the tracker can evaluate: one call per link and changed item, not a full re-read.
    changes.items_to_check = {i.external_id for i in plan.upserts if not i.deleted} - quiet
    if plan.rescope:
        changes.links_to_check = {link.id for link in links.tracker_links}
    if not planned.own_change:
        # okrsync's own writes to a project or initiative (a mirror's name, description or status
        # update) move no issue in or out of it: nothing to re-read.
        changes.links_to_resolve = container_links(session, connection_id, effect.project_refs)
    mark_done(delivery, now)
    return changes


def plan_items(session: Session, planned: PlannedDelivery, fresh: list[domain.WorkItem],
               links: PassLinks, now: datetime) -> tuple[PagePlan, dict, set[str]]:
    """The delivery's items (the payload's, then the re-read ones) planned against the stored
    rows, which stay locked until the commit; the plan, what it read, and the quiet items."""
    connection, effect = planned.connection, planned.effect
    items, _ = newest_per_id([*effect.upserts, *fresh])   # a re-read copy wins a tie
    kept = set()
    if tracker_traits(connection.tracker).webhooks.keeps_stored_estimate(connection.settings):
        kept = {i.external_id for i in effect.upserts} - {i.external_id for i in fresh}
    deletions = dict.fromkeys(sorted(effect.deletions), planned.occurred_at or now)
    stored = load_stored(session, connection.id, [i.external_id for i in items] + list(deletions),
                         lock=True)
    # okrsync's own write (a mirror's description) moved only the tracker's time: nothing
    # progress reads changed, so the item is stored without membership, link or recount work.
    quiet = unchanged_ids(session, connection.id, items, kept) if planned.own_change else set()
    planned_items = [i for i in items if i.external_id not in quiet]
    plan = plan_delivery_items(planned_items, deletions, stored,
                               links.for_batch(session, planned_items, stored), kept)
    plan.upserts += [i for i in items if i.external_id in quiet]
    plan.estimate_kept |= quiet & kept
    return plan, stored, quiet


def container_links(session: Session, connection_id: int, refs: list[str]) -> set[int]:
    """Project / initiative links whose container changed in the tracker."""
    if not refs:
        return set()
    return set(session.scalars(select(WorkLink.id).where(
        WorkLink.connection_id == connection_id,
        WorkLink.kind.in_([LinkKind.PROJECT, LinkKind.INITIATIVE]), WorkLink.ref.in_(list(refs)))))


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
