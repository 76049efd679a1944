"""Sending is a job: one per message row, retried with back-off by re-queueing (never sleeping).

The row is claimed (state `sending`, committed) immediately before the message leaves and marked
`sent` right after. A worker killed in between leaves it `sending`: whether it arrived is unknown,
so it is never sent again by itself; the sweep marks it `unconfirmed` and the sync page shows it
with a button to send it again. A failure that a fixed setting cures (revoked token, wrong
password) is kept as `failed` with its message, and sent again when an admin asks.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from config.notification_settings import load_defaults, load_slack_settings, load_smtp_settings
from config.urlsafety import system_resolver
from okr_core.models import NotificationSend, User
from plumbing.db import job_session
from plumbing.queue import NO_RETRY, QueueUnavailable, enqueue
from plumbing.services import allowlist, secret_box
from sync.notify.compose import NothingToSay, compose
from sync.notify.due import due_notifications
from sync.notify.email_sender import build_email, send_email
from sync.notify.errors import PermanentSendFailure, SendFailed
from sync.notify.links import unsubscribe_url
from sync.notify.preferences import choices_of
from sync.notify.slack_sender import post_to_slack

log = logging.getLogger("okrsync.notify")

SENDABLE = ("queued", "retrying")
PROBLEMS = ("failed", "unconfirmed", "retrying")
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (30, 120, 600, 1800)
STALE_SENDING = timedelta(minutes=10)
REHAND_SECONDS = 300


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _backoff(attempt: int) -> float:
    """Seconds before try `attempt + 1`; OKRSYNC_NOTIFY_BACKOFF (comma-separated) shortens it."""
    raw = os.environ.get("OKRSYNC_NOTIFY_BACKOFF", "")
    try:
        steps = tuple(float(p) for p in raw.split(",") if p.strip()) or BACKOFF_SECONDS
    except ValueError:
        steps = BACKOFF_SECONDS
    return steps[min(max(attempt, 1), len(steps)) - 1]


def _stale_after() -> timedelta:
    raw = os.environ.get("OKRSYNC_NOTIFY_STALE_SECONDS")
    return timedelta(seconds=float(raw)) if raw else STALE_SENDING


def _enqueue_send(send_id: int, attempt: int | str, delay: float = 0.0) -> None:
    try:
        enqueue("send_notification", send_id, job_id=f"notify-{send_id}-{attempt}",
                retry=NO_RETRY, delay=delay)
    except QueueUnavailable as exc:   # the row stays queued: the next tick hands it over again
        log.warning("notify.unqueued", extra={"send_id": send_id, "error": str(exc)})


@dataclass(frozen=True)
class Outcome:
    state: str
    detail: str = ""


def _finish(send_id: int, state: str, error: str | None = None, **values) -> None:
    with job_session() as session:
        session.execute(update(NotificationSend).where(NotificationSend.id == send_id)
                        .values(state=state, last_error=error, updated_at=utcnow(), **values))


def _skip(session, row: NotificationSend, why: str) -> Outcome:
    row.state, row.last_error = "skipped", why
    return Outcome("skipped", why)


def _prepare(session, row: NotificationSend, now: datetime):
    """(what to send and where) for a sendable row, or an Outcome when it is not sent."""
    settings = current_app.config["SETTINGS"]
    user = session.get(User, row.user_id)
    defaults = load_defaults(session)
    if user is None or not user.active:
        return _skip(session, row, "The person is no longer active.")
    choices = choices_of(session, user.id, defaults)
    if not choices.wants(row.kind, row.channel):
        why = ("The person unsubscribed from email." if row.channel == "email" and choices.unsubscribed
               else "The person turned this off in their notification settings.")
        return _skip(session, row, why)
    try:
        message = compose(session, user, row.kind, now, defaults, settings.base_url, settings.secret_key)
    except NothingToSay as nothing:
        return _skip(session, row, f"Nothing to send: {nothing}.")
    if row.channel == "email":
        smtp = load_smtp_settings(session, settings, secret_box())
        mail = build_email(smtp, user.name, user.email, message,
                           unsubscribe_url(settings.base_url, settings.secret_key, user.id))
        return lambda: send_email(smtp, mail)
    slack = load_slack_settings(session, secret_box())
    destination = slack.destination(user.team_id)
    if destination is None:
        return _refuse_unset_slack
    allowed, resolve = tuple(allowlist()), current_app.config.get("OUTBOUND_RESOLVER", system_resolver)
    return lambda: post_to_slack(destination, slack.bot_token, message, allowed, resolve)


def _refuse_unset_slack() -> None:
    raise PermanentSendFailure("Slack is not set up for this person's team: add a webhook or "
                               "channel in /admin.")


def send_notification(send_id: int) -> Outcome:
    """Job: send one message row at most once (see the module's note)."""
    now = utcnow()
    with job_session() as session:
        row = session.get(NotificationSend, send_id)
        if row is None or row.state not in SENDABLE:
            return Outcome(row.state if row else "missing")
        if row.state == "retrying" and row.next_attempt_at and row.next_attempt_at > now + timedelta(seconds=1):
            return Outcome("retrying", "not yet")
        prepared = _prepare(session, row, now)
        if isinstance(prepared, Outcome):
            return prepared
        attempt = row.attempts + 1
        claimed = session.execute(
            update(NotificationSend).where(NotificationSend.id == send_id,
                                           NotificationSend.state.in_(SENDABLE))
            .values(state="sending", attempts=NotificationSend.attempts + 1, claimed_at=now,
                    updated_at=now), execution_options={"synchronize_session": False}).rowcount
    if not claimed:
        return Outcome("taken")
    try:
        prepared()
    except SendFailed as failure:
        return _failed(send_id, attempt, failure)
    _finish(send_id, "sent", None, sent_at=utcnow(), next_attempt_at=None)
    log.info("notify.sent", extra={"send_id": send_id})
    return Outcome("sent")


def _failed(send_id: int, attempt: int, failure: SendFailed) -> Outcome:
    message = str(failure)
    if failure.transient and attempt < MAX_ATTEMPTS:
        delay = failure.retry_after or _backoff(attempt)
        _finish(send_id, "retrying", message, next_attempt_at=utcnow() + timedelta(seconds=delay))
        _enqueue_send(send_id, attempt, delay)
        log.warning("notify.retrying", extra={"send_id": send_id, "error": message, "delay": delay})
        return Outcome("retrying", message)
    _finish(send_id, "failed", message, next_attempt_at=None)
    log.warning("notify.failed", extra={"send_id": send_id, "error": message})
    return Outcome("failed", message)


def _claim_rows(session, due, now: datetime) -> list[int]:
    """Insert a queued row for each due message that has none; the ids of rows to hand over
    (new ones, queued ones whose hand-off may have been lost, retries whose time has come)."""
    for item in due:
        exists = session.scalar(select(NotificationSend.id).where(
            NotificationSend.user_id == item.user_id, NotificationSend.kind == item.kind,
            NotificationSend.period == item.period, NotificationSend.channel == item.channel))
        if exists is None:
            try:
                with session.begin_nested():
                    session.add(NotificationSend(user_id=item.user_id, kind=item.kind,
                                                 period=item.period, channel=item.channel))
            except IntegrityError:   # another tick inserted it first
                pass
    session.flush()
    return list(session.scalars(select(NotificationSend.id).where(
        (NotificationSend.state == "queued")
        | ((NotificationSend.state == "retrying") & (NotificationSend.next_attempt_at <= now)))
        .order_by(NotificationSend.id)))


def list_due(now: datetime | None = None):
    """What is due now and not yet settled (for `okrsync notify send --dry-run`)."""
    now = now or utcnow()
    settings = current_app.config["SETTINGS"]
    with job_session() as session:
        due = due_notifications(session, now, load_defaults(session),
                                load_smtp_settings(session, settings, secret_box()),
                                load_slack_settings(session, secret_box()))
        settled = set(session.execute(select(NotificationSend.user_id, NotificationSend.kind,
                                             NotificationSend.period, NotificationSend.channel)
                                      .where(NotificationSend.state != "queued")).all())
        return [d for d in due if (d.user_id, d.kind, d.period, d.channel) not in settled]


def queue_due_notifications(now: datetime | None = None) -> list[int]:
    """Make the rows of everything due and queue their jobs; the row ids queued. Any number of
    ticks, processes or commands may run this: the rows make each message once."""
    now = now or utcnow()
    settings = current_app.config["SETTINGS"]
    with job_session() as session:
        due = due_notifications(session, now, load_defaults(session),
                                load_smtp_settings(session, settings, secret_box()),
                                load_slack_settings(session, secret_box()))
        ids = _claim_rows(session, due, now)
    mark_unconfirmed(now)
    slot = int(now.timestamp()) // REHAND_SECONDS   # a row still queued is handed over again
    for send_id in ids:                              # at most once per slot
        _enqueue_send(send_id, f"t{slot}")
    return ids


def mark_unconfirmed(now: datetime | None = None) -> int:
    """Rows left `sending` by a worker that died: unknown whether they arrived, so not resent."""
    now = now or utcnow()
    with job_session() as session:
        return session.execute(
            update(NotificationSend).where(NotificationSend.state == "sending",
                                           NotificationSend.claimed_at < now - _stale_after())
            .values(state="unconfirmed", updated_at=now,
                    last_error="The worker stopped while sending: it may not have arrived. "
                               "It is not sent again unless you ask.")).rowcount


def send_again(send_ids: list[int] | None = None) -> list[int]:
    """An admin's retry of failed or unconfirmed messages (all of them, or those given)."""
    with job_session() as session:
        query = select(NotificationSend).where(NotificationSend.state.in_(("failed", "unconfirmed")))
        if send_ids is not None:
            query = query.where(NotificationSend.id.in_(send_ids))
        rows = list(session.scalars(query))
        for row in rows:
            row.state, row.next_attempt_at = "queued", None
        ids = [row.id for row in rows]
    for send_id in ids:
        _enqueue_send(send_id, f"again{int(utcnow().timestamp())}")
    return ids
