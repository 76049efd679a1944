"""Posting an approved check-in to the trackers, and taking it back on undo.

Only approval posts: one Linear project update per Linear project mirror (health from the status)
and one comment per Jira KR issue mirror, one call each. A `CheckInPost` row per target makes the
job safe to retry (a posted row is not posted again); the undo's job withdraws what was posted, and
a post that lands after an undo is withdrawn by the post job itself.
"""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from connector.base import CommentWriter, StatusPublisher
from connector.registry import tracker as tracker_traits
from okr_core.checkin_drafts.post_text import post_body
from okr_core.domain import KRStatus
from okr_core.models import (
    CheckIn, CheckInDraft, CheckInPost, Connection, KeyResult, Mirror as MirrorRow, Objective, User, utcnow,
)
from plumbing.db import job_session
from plumbing.queue import QueueUnavailable, RetryPolicy, enqueue
from sync.connections.connectors import job_connector_for
from sync.mirror.home import SUBJECT
from sync.mirror.text import panel_url
from connector.base import Mirror, MirrorKind

log = logging.getLogger("okrsync.checkins.posts")
POST_RETRY = RetryPolicy(max=4, intervals=(10, 60, 300, 900))


def queue_post(draft_id: int, check_in_id: int) -> None:
    _queue("post_check_in", draft_id, check_in_id)


def queue_withdraw(draft_id: int, check_in_id: int) -> None:
    _queue("withdraw_check_in", draft_id, check_in_id)


def _queue(job: str, draft_id: int, check_in_id: int) -> None:
    try:
        enqueue(job, draft_id, check_in_id, job_id=f"{job}-{check_in_id}", retry=POST_RETRY)
    except QueueUnavailable as exc:
        # The rows stay pending; `okrsync` shows them on the KR page and the next approval retries.
        log.warning("checkins.posts.unqueued", extra={"check_in_id": check_in_id, "error": str(exc)})


def _plan(session, draft: CheckInDraft, check_in_id: int) -> list[int]:
    """The post rows of this approval, created once per mirror target; the ids still pending."""
    rows = session.scalars(select(MirrorRow).where(
        MirrorRow.subject_kind == SUBJECT[MirrorKind.KEY_RESULT], MirrorRow.subject_id == draft.key_result_id)
        .order_by(MirrorRow.id)).all()
    existing = {(p.connection_id, p.target): p for p in session.scalars(
        select(CheckInPost).where(CheckInPost.check_in_id == check_in_id))}
    for mirror in rows:
        connection = session.get(Connection, mirror.connection_id)
        target = tracker_traits(connection.tracker).check_in_post
        if target and (connection.id, target) not in existing:
            ref = mirror.external_id if target == "linear_project_update" else (mirror.external_key or mirror.external_id)
            post = CheckInPost(draft_id=draft.id, check_in_id=check_in_id, connection_id=connection.id,
                               target=target, mirror_ref=ref, state="pending")
            session.add(post)
            existing[(connection.id, target)] = post
    session.flush()
    return [p.id for p in existing.values() if p.state in ("pending", "failed")]


def _body(session, draft: CheckInDraft, check_in: CheckIn) -> tuple[str, KRStatus]:
    kr = session.get(KeyResult, draft.key_result_id)
    objective = session.get(Objective, kr.objective_id)
    author = session.get(User, check_in.author_id) if check_in.author_id else None
    panel = panel_url(current_app.config["SETTINGS"].base_url, objective.team_id, kr.id)
    status = KRStatus(check_in.status) if check_in.status else KRStatus(kr.status)
    return post_body(kr, check_in, draft, author.name if author else "its owner", panel), status


def post_check_in(draft_id: int, check_in_id: int) -> int:
    """Job: post the approved check-in to each mirror not posted yet; the posts made."""
    with job_session() as session:
        draft = session.get(CheckInDraft, draft_id)
        check_in = session.get(CheckIn, check_in_id)
        if draft is None or check_in is None or draft.check_in_id != check_in_id:
            return 0     # undone before the job ran: nothing is posted
        pending = _plan(session, draft, check_in_id)
        body, status = _body(session, draft, check_in)
        work = [(p.id, session.get(Connection, p.connection_id), p.target, p.mirror_ref)
                for p in map(lambda i: session.get(CheckInPost, i), pending)]
    posted = 0
    for post_id, connection, target, ref in work:
        connector = job_connector_for(connection)
        try:
            external_id = _send(connector, target, ref, status, body)
        except Exception as exc:
            _mark(post_id, state="failed", error=f"{type(exc).__name__}: {str(exc)[:300]}")
            raise      # the queue's retry posts it again (a posted row is skipped)
        finally:
            connector.close()
        posted += 1
        if not _record_posted(post_id, external_id, check_in_id):
            _withdraw_one(post_id)   # undone while we posted: take it back now
    return posted


def _send(connector, target: str, ref: str, status: KRStatus, body: str) -> str:
    if target == "linear_project_update" and isinstance(connector, StatusPublisher):
        return connector.post_status_update(Mirror(MirrorKind.KEY_RESULT, "", ref, ref), status, body)
    if target == "jira_comment" and isinstance(connector, CommentWriter):
        return connector.add_comment(ref, body).external_id
    raise TypeError(f"{type(connector).__name__} cannot post a {target}")


def _mark(post_id: int, **fields) -> None:
    with job_session() as session:
        post = session.get(CheckInPost, post_id)
        if post is not None:
            for name, value in fields.items():
                setattr(post, name, value)


def _record_posted(post_id: int, external_id: str, check_in_id: int) -> bool:
    """Store what the tracker answered; False when the check-in was undone meanwhile."""
    with job_session() as session:
        post = session.get(CheckInPost, post_id)
        post.external_id, post.state, post.posted_at, post.error = external_id, "posted", utcnow(), None
        draft = session.get(CheckInDraft, post.draft_id)
        return draft is not None and draft.check_in_id == check_in_id


def withdraw_check_in(draft_id: int, check_in_id: int) -> int:
    """Job: withdraw everything this approval posted (the undo); pending posts are cancelled."""
    with job_session() as session:
        posts = session.scalars(select(CheckInPost).where(CheckInPost.check_in_id == check_in_id)
                                .order_by(CheckInPost.id)).all()
        for post in posts:
            if post.state in ("pending", "failed"):
                post.state = "withdrawn"      # never posted: nothing to take back
        ids = [p.id for p in posts if p.state == "posted"]
    for post_id in ids:
        _withdraw_one(post_id)
    return len(ids)


def _withdraw_one(post_id: int) -> None:
    with job_session() as session:
        post = session.get(CheckInPost, post_id)
        connection = session.get(Connection, post.connection_id)
        target, ref, external_id = post.target, post.mirror_ref, post.external_id
    connector = job_connector_for(connection)
    try:
        if target == "linear_project_update":
            connector.withdraw_status_update(external_id)
        else:
            connector.delete_comment(ref, external_id)
    finally:
        connector.close()
    _mark(post_id, state="withdrawn", withdrawn_at=utcnow())
