"""Drafting the weekly check-ins: one draft per owned KR and team week, once the team's check-in
time has come (or now, from `okrsync checkins draft`). Idempotent: a KR's week is drafted once,
whatever number of ticks, processes or retries ask (the store's unique key decides).

The figures come from the store (linked work done this week, this week's comments with their stored
mining results, the cycle's forecast); the note is worded outside any transaction.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from okr_core.analysis import load_cycle_facts
from okr_core.analysis.context import build_context
from okr_core.analysis.forecast import forecast_section
from okr_core.analysis.mining_store import prepare_minings
from okr_core.analysis.scope import Scope
from okr_core.checkin_drafts.compose import DraftFacts, MovedItem, NewBlocker, compose
from okr_core.checkin_drafts.keeping_team import keeping_teams
from okr_core.checkin_drafts.week import CheckInWeek, team_week
from okr_core.domain import CycleStatus, Role, StatusCategory
from okr_core.models import (
    CheckInDraft, Comment, Cycle, KeyResult, LinkItem, WorkItem, WorkLink,
)
from okr_core.visibility import Viewer
from plumbing.db import job_session
from plumbing.services import allowlist, secret_box
from sync.analysis.narrative import LlmConfig, llm_config
from sync.checkins.note import worded_note

log = logging.getLogger("okrsync.checkins.drafts")
DRAFT_SLOT_SECONDS = 900   # drafting looks for due weeks every quarter hour
EVERYONE = Viewer(0, Role.ADMIN, None, frozenset(), frozenset())


@dataclass
class Planned:
    """A draft computed inside the read transaction, worded and stored after it."""

    kr_id: int
    owner_id: int
    week: CheckInWeek
    facts: DraftFacts


def _done_items(session, kr_id: int, since: datetime) -> list[MovedItem]:
    """Linked issues done (not canceled) whose tracker change falls in the week."""
    rows = session.execute(
        select(WorkItem.key, WorkItem.title, WorkItem.url, WorkItem.estimate).distinct()
        .join(LinkItem, LinkItem.work_item_id == WorkItem.id)
        .join(WorkLink, WorkLink.id == LinkItem.work_link_id)
        .where(WorkLink.key_result_id == kr_id, WorkItem.deleted.is_(False),
               WorkItem.status_category == StatusCategory.DONE, WorkItem.tracker_updated_at >= since)
        .order_by(WorkItem.key)).all()
    return [MovedItem(key, title or "", url, points) for key, title, url, points in rows]


def _new_blockers(session, facts, kr_id: int, since: datetime) -> list[NewBlocker]:
    """Blockers the stored mining found in this week's comments on the KR's linked issues."""
    comments = session.execute(
        select(Comment.id, WorkItem.key, WorkItem.url)
        .join(WorkItem, (WorkItem.connection_id == Comment.connection_id)
              & (WorkItem.external_id == Comment.item_external_id))
        .join(LinkItem, LinkItem.work_item_id == WorkItem.id)
        .join(WorkLink, WorkLink.id == LinkItem.work_link_id)
        .where(WorkLink.key_result_id == kr_id, Comment.deleted.is_(False), Comment.created_at >= since)
        .order_by(Comment.created_at, Comment.id)).all()
    found, seen = [], set()
    for comment_id, key, url in comments:
        mined = facts.mined.get(f"comment:{comment_id}")
        finding = mined.finding if mined is not None else None
        if finding is None or not finding.is_blocker or (key, finding.phrase) in seen:
            continue
        seen.add((key, finding.phrase))
        found.append(NewBlocker(finding.phrase, str(finding.kind) if finding.kind else None, key, url))
    return found


def _plan_cycle(session, cycle: Cycle, now: datetime, force: bool) -> tuple[list[Planned], int]:
    """The drafts due in this cycle, and how many of its KRs are drafted for their week already."""
    facts = load_cycle_facts(session, cycle.id, EVERYONE, Scope("company"), now)
    owned = [kr for kr in facts.key_results if kr.owner_id is not None]
    if not owned:
        return [], 0
    prepare_minings(session, facts)   # stored results; only new or edited comments are mined
    ctx = build_context(facts)
    chance = {row["kr_id"]: row["chance"] for row in forecast_section(ctx)["key_results"]}
    team_of = keeping_teams(session, [kr.id for kr in owned])
    krs = {kr.id: kr for kr in session.scalars(select(KeyResult).where(
        KeyResult.id.in_([kr.id for kr in owned])))}
    drafted = set(session.execute(select(CheckInDraft.key_result_id, CheckInDraft.week_start).where(
        CheckInDraft.key_result_id.in_(list(krs)))).all())
    planned, already = [], 0
    for fact in owned:
        week = team_week(team_of.get(fact.id), now)
        if (fact.id, week.start) in drafted:
            already += 1
            continue
        if not (force or week.is_due(now)):
            continue
        since = week.starts_at
        kr = krs[fact.id]
        draft_facts = DraftFacts(
            title=kr.title, measure=str(kr.measure), unit=kr.unit or "", start_value=kr.start_value,
            target_value=kr.target_value, current_value=kr.current_value, progress=kr.progress,
            expected=ctx.expected, chance=chance.get(kr.id),
            moved=_done_items(session, kr.id, since), blockers=_new_blockers(session, facts, kr.id, since))
        planned.append(Planned(kr.id, fact.owner_id, week, draft_facts))
    return planned, already


def _llm() -> LlmConfig | None:
    with job_session() as session:
        config = llm_config(session, current_app.config["SETTINGS"], secret_box(), allowlist())
    return config if config.api_key else None


def _note_facts(facts: DraftFacts, content) -> dict:
    """What the model may phrase: the draft's figures and the template's sentences."""
    return {"key_result": facts.title, "value": facts.current_value, "target": facts.target_value,
            "unit": facts.unit, "issues_done": content.items_done, "points_done": content.points_done,
            "done": [item.key for item in facts.moved],
            "blockers": [{"on": b.key, "kind": b.kind} for b in facts.blockers],
            "suggested_status": str(content.suggested_status) if content.suggested_status else None,
            "chance_percent": round(facts.chance * 100) if facts.chance is not None else None,
            "template": content.note}


def _row(plan: Planned, content, note: str, source: str, now: datetime) -> CheckInDraft:
    facts = plan.facts
    return CheckInDraft(
        key_result_id=plan.kr_id, owner_id=plan.owner_id, week_start=plan.week.start, drafted_at=now,
        value=content.value, needs_input=content.needs_input, items_done=content.items_done,
        points_done=content.points_done,
        moved=[{"key": m.key, "title": m.title, "url": m.url, "points": m.points} for m in facts.moved],
        blockers=[{"phrase": b.phrase, "kind": b.kind, "key": b.key, "url": b.url} for b in facts.blockers],
        suggested_status=str(content.suggested_status) if content.suggested_status else None,
        suggested_confidence=content.suggested_confidence, chance=facts.chance,
        note=note, note_source=source, state="waiting")


@dataclass(frozen=True)
class DraftRun:
    created: int
    skipped: int      # drafted for their week already (by an earlier run, or one racing this)


def draft_check_ins(cycle_id: int | None = None, now: datetime | None = None, force: bool = False,
                    progress: Callable[[int, int], None] | None = None) -> DraftRun:
    """Job: draft every due check-in of the active cycles (or of one cycle); `force` drafts this
    week's now, before the teams' check-in time (the CLI)."""
    now = now or datetime.now(timezone.utc)
    with job_session() as session:
        where = [Cycle.id == cycle_id] if cycle_id is not None else [Cycle.status == CycleStatus.ACTIVE]
        planned, skipped = [], 0
        for cycle in session.scalars(select(Cycle).where(*where).order_by(Cycle.id)).all():
            due, already = _plan_cycle(session, cycle, now, force)
            planned, skipped = planned + due, skipped + already
    config = _llm() if planned else None
    created = 0
    for done, plan in enumerate(planned, 1):
        content = compose(plan.facts)
        note, source = worded_note(config, _note_facts(plan.facts, content),
                                   [b.phrase for b in plan.facts.blockers], content.note)
        try:
            with job_session() as session:
                session.add(_row(plan, content, note, source, now))
            created += 1
        except IntegrityError:
            skipped += 1     # another run drafted this KR's week first
        if progress is not None:
            progress(done, len(planned))
    if created:
        log.info("checkins.drafted", extra={"drafts_created": created, "drafts_skipped": skipped})
    return DraftRun(created, skipped)


def queue_due_drafts(queue: str) -> str | None:
    """The scheduler's tick: queue one drafting job per quarter-hour slot on the scheduler's queue
    (the job skips what exists, so a team's drafts appear within 15 minutes of its check-in time)."""
    from plumbing.queue import NO_RETRY, enqueue

    slot = int(datetime.now(timezone.utc).timestamp()) // DRAFT_SLOT_SECONDS
    return enqueue("draft_check_ins", job_id=f"draft-check-ins-{slot}", queue=queue, retry=NO_RETRY)
