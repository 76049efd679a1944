"""Admin pages for running the sync: status per connection, failures to retry, the audit log."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import select

from okrsync.admin.blueprint import admin_only, bp, commit_change
from okrsync.admin.forms import ActionForm
from config.audit import shown_detail
from okrsync.admin.audit_words import audit_rows
from okr_core.delivery_state import DeliveryState
from okr_core.models import AuditEntry, Connection, Delivery, KeyResult, SyncState, User, WorkLink
from plumbing.db import request_session
from plumbing.sweeper import retry_failed_deliveries
from sync.connections.tracker_health import health_of

FAILED_SHOWN = 100
AUDIT_SHOWN = 200


@bp.get("/")
@admin_only
def index():
    db = request_session()
    connections = db.scalars(select(Connection).order_by(Connection.id)).all()
    states = {s.connection_id: s for s in db.scalars(select(SyncState))}
    failed = db.scalars(select(Delivery).where(Delivery.state == DeliveryState.FAILED.value)
                        .order_by(Delivery.received_at.desc()).limit(FAILED_SHOWN)).all()
    links = db.execute(select(WorkLink, KeyResult.title).join(KeyResult, KeyResult.id == WorkLink.key_result_id)
                       .where(WorkLink.last_error.is_not(None))
                       .order_by(WorkLink.id).limit(FAILED_SHOWN)).all()
    return render_template("admin/index.html", connections=connections, states=states,
                           connection_names={c.id: c.name for c in connections},
                           health=health_of(db), failed=failed,
                           failed_links=links, action=ActionForm())


@bp.post("/deliveries/<int:delivery_id>/retry")
@admin_only
def retry_delivery(delivery_id: int):
    delivery = request_session().get(Delivery, delivery_id)
    if delivery is None or delivery.state != DeliveryState.FAILED:
        abort(404)
    commit_change("delivery.retried", f"delivery {delivery.id}")
    # The sweeper's own retry; if the queue is down the delivery stays pending and the sweeper
    # queues it later.
    retry_failed_deliveries(delivery_ids=[delivery_id])
    return redirect(url_for("admin.index"))


@bp.post("/links/<int:link_id>/retry")
@admin_only
def retry_link(link_id: int):
    from plumbing.queue import QueueUnavailable, enqueue

    link = request_session().get(WorkLink, link_id)
    if link is None:
        abort(404)
    commit_change("link.resolution-retried", f"link {link.id}")
    try:
        enqueue("resolve_link", link_id,
                job_id=f"link-{link_id}-admin-retry-{int(datetime.now(timezone.utc).timestamp())}")
    except QueueUnavailable:
        abort(503, "The job queue is unavailable; try again shortly.")
    return redirect(url_for("admin.index"))


@bp.get("/audit")
@admin_only
def audit():
    with_sign_ins = request.args.get("sign_ins") == "1"
    query = select(AuditEntry, User.email).outerjoin(User, User.id == AuditEntry.actor_id)
    if not with_sign_ins:
        query = query.where(AuditEntry.action.not_like("login.%"))
    rows = request_session().execute(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                     .limit(AUDIT_SHOWN)).all()
    entries = audit_rows(request_session(), [(entry, email, shown_detail(entry)) for entry, email in rows])
    return render_template("admin/audit.html", entries=entries, with_sign_ins=with_sign_ins)
