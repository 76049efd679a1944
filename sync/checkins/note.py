"""A drafted check-in's note in words: the model's, when one is configured and its answer passes the
checks, else the template's. One call per draft, no tools, the facts only."""
from __future__ import annotations

import logging

import openai

from config.urlsafety import UnsafeURL
from okr_core.analysis.narrative_check import NarrativeRejected
from okr_core.checkin_drafts.note_check import NOTE_SCHEMA, check_note, note_messages
from sync.analysis.narrative import LlmConfig, checked_client, structured_answer

log = logging.getLogger("okrsync.checkins.note")


def worded_note(config: LlmConfig | None, facts: dict, blocker_phrases: list[str],
                template: str) -> tuple[str, str]:
    """(note, source): the model's note ("llm") or the template ("template")."""
    if config is None or not config.api_key:
        return template, "template"
    try:
        answer = structured_answer(checked_client(config), config.model,
                                   note_messages(facts, blocker_phrases), "check_in_note", NOTE_SCHEMA)
        return check_note(answer, facts), "llm"
    except (openai.OpenAIError, NarrativeRejected, UnsafeURL) as exc:
        log.warning("checkins.note.llm-failed", extra={"reason": type(exc).__name__,
                                                       "detail": str(exc)[:300], "model": config.model})
        return template, "template"
