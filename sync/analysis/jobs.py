"""Analysis jobs on the `analysis` queue: run one analysis, refresh a cycle's (debounced)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import select

from okr_core.analysis import analyse, load_cycle_facts, split_scope_key
from okr_core.analysis.blocker_review import review_key
from okr_core.analysis.mining_store import prepare_minings
from okr_core.analysis.prompt import build_prompt
from okr_core.domain import Role
from okr_core.gc_pause import gc_paused
from okr_core.models import Analysis, User
from okr_core.visibility import Viewer, make_viewer
from plumbing.db import job_session
from plumbing.services import allowlist, secret_box
from sync.analysis.narrative import LlmConfig, inputs_hash, llm_config, narrate, review_ambiguous
from plumbing.queue import ANALYSIS_QUEUE, NO_RETRY, enqueue
from sync.analysis.mining_jobs import request_remine_if_outdated

log = logging.getLogger("okrsync.analysis")

DEBOUNCE_SECONDS = 60
REFRESH_SCOPE_LIMIT = 20
EVERYTHING = Viewer(0, Role.ADMIN, None, frozenset(), frozenset())


def queue_analysis(session, cycle_id: int, key: str) -> Analysis:
    """A queued analysis row; commit it before `enqueue_analysis` so the job finds it."""
    analysis = Analysis(cycle_id=cycle_id, scope=key, state="queued")
    session.add(analysis)
    session.flush()
    return analysis


def enqueue_analysis(analysis_id: int) -> str | None:
    """Hand one analysis to the analysis queue."""
    return enqueue("run_analysis", analysis_id, job_id=f"analysis-{analysis_id}",
                   queue=ANALYSIS_QUEUE, retry=NO_RETRY)


def _viewer(session, user_id: int | None) -> Viewer | None:
    if user_id is None:
        return EVERYTHING
    user = session.get(User, user_id)
    return make_viewer(session, user) if user is not None and user.active else None


def _compute(analysis_id: int, now: datetime):
    """Load and compute in one short transaction; returns (row fields, prompt) or None."""
    with job_session() as session:
        analysis = session.get(Analysis, analysis_id)
        if analysis is None or analysis.state == "done":
            return None
        scope, user_id = split_scope_key(analysis.scope)
        viewer = _viewer(session, user_id)
        if viewer is None:
            raise LookupError(f"user {user_id} of analysis {analysis_id} is gone or inactive")
        with gc_paused():   # bulk facts, no cycles: see okr_core.gc_pause
            facts = load_cycle_facts(session, analysis.cycle_id, viewer, scope, now)
            if facts is None:
                raise LookupError(f"cycle {analysis.cycle_id} of analysis {analysis_id} is gone")
            prepare_minings(session, facts)   # stored miner results; only new or edited texts are mined
            sections = analyse(facts)
        prompt = build_prompt(sections, {kr.id: kr.title for kr in facts.key_results})
        return analysis.cycle_id, sections, prompt


def _cached_narrative(cycle_id: int, digest: str) -> dict | None:
    """A model-written narrative stored for exactly these inputs, if any."""
    with job_session() as session:
        rows = session.scalars(select(Analysis.narrative).where(
            Analysis.cycle_id == cycle_id, Analysis.inputs_hash == digest,
            Analysis.state == "done").order_by(Analysis.id.desc()).limit(5)).all()
    return next((row for row in rows if row and row.get("source") == "llm"), None)


def _review(cycle_id: int, config: LlmConfig, ambiguous: list[dict]) -> dict | None:
    """The model's review of the miner's unsure calls, reused while the texts are the same."""
    if not ambiguous or not config.api_key:
        return None
    key = review_key(ambiguous)
    with job_session() as session:
        recent = session.scalars(select(Analysis.sections).where(
            Analysis.cycle_id == cycle_id, Analysis.state == "done")
            .order_by(Analysis.id.desc()).limit(5)).all()
    for sections in recent:
        review = (sections.get("blockers") or {}).get("llm_review")
        if review and review.get("key") == key and review.get("model") == config.model:
            return review
    items = review_ambiguous(config, ambiguous)
    return {"key": key, "model": config.model, "items": items} if items else None


def _llm_config() -> LlmConfig:
    with job_session() as session:
        return llm_config(session, current_app.config["SETTINGS"], secret_box(), allowlist())


def _store(analysis_id: int, **fields) -> None:
    """Write the outcome on the row (gone rows, e.g. a deleted cycle's, are left alone)."""
    with job_session() as session:
        analysis = session.get(Analysis, analysis_id)
        if analysis is None:
            return
        for name, value in fields.items():
            setattr(analysis, name, value)
        analysis.finished_at = datetime.now(timezone.utc)


def run_analysis(analysis_id: int) -> None:
    """Compute an analysis, narrate it outside any transaction, then store it."""
    now = datetime.now(timezone.utc)
    try:
        computed = _compute(analysis_id, now)
    except Exception as exc:  # recorded on the row for the API, then re-raised for the queue
        _store(analysis_id, state="failed", error=f"{type(exc).__name__}: {exc}"[:1000])
        raise
    if computed is None:
        return
    cycle_id, sections, prompt = computed
    config = _llm_config()
    digest = inputs_hash(prompt, config)
    result = narrate(prompt, config, _cached_narrative(cycle_id, digest))
    sections["blockers"]["llm_review"] = _review(cycle_id, config, sections["blockers"]["ambiguous"])
    sections["prompt_tokens"] = prompt.tokens
    _store(analysis_id, state="done", sections=sections, narrative=result.narrative,
           model=result.model, inputs_hash=digest, error=None)
    log.info("analysis.done", extra={"analysis_id": analysis_id, "llm_called": result.called})
    request_remine_if_outdated()


def refresh_cycle_analyses(cycle_id: int) -> list[int]:
    """Recompute every scope of the cycle that has been asked for (company when none has)."""
    with job_session() as session:
        keys = session.scalars(select(Analysis.scope).where(Analysis.cycle_id == cycle_id)
                               .group_by(Analysis.scope).limit(REFRESH_SCOPE_LIMIT)).all()
        ids = [queue_analysis(session, cycle_id, key).id for key in sorted(keys) or ["company"]]
    for analysis_id in ids:
        try:
            run_analysis(analysis_id)
        except Exception:  # already recorded as failed on its row; the other scopes still run
            log.exception("analysis.refresh.scope-failed", extra={"analysis_id": analysis_id})
    return ids


def refresh_job_id(cycle_id: int, now: datetime, window: int = DEBOUNCE_SECONDS) -> str:
    """One job id per cycle and debounce window: requests in the same window collapse."""
    return f"analysis-refresh-{cycle_id}-{int(now.timestamp()) // window}"


def request_analysis_refresh(cycle_id: int, now: datetime | None = None) -> str | None:
    """Queue a refresh after progress or check-in changes; None when this window already has one.

    The job runs when the window closes (trailing edge), so it sees every change of the window,
    the last one included. ANALYSIS_DEBOUNCE_SECONDS = 0 (tests) runs it at once.
    """
    now = now or datetime.now(timezone.utc)
    window = int(current_app.config.get("ANALYSIS_DEBOUNCE_SECONDS", DEBOUNCE_SECONDS))
    if window <= 0:
        return enqueue("refresh_cycle_analyses", cycle_id, queue=ANALYSIS_QUEUE, retry=NO_RETRY)
    closes_in = window - now.timestamp() % window
    return enqueue("refresh_cycle_analyses", cycle_id, job_id=refresh_job_id(cycle_id, now, window),
                   queue=ANALYSIS_QUEUE, retry=NO_RETRY, delay=closes_in)
