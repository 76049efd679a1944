"""The analysis narrative: an OpenAI-compatible model phrases the computed facts, or a template does.

The model gets no tools and only summarised facts; comments reach it quoted, as data. Its answer
must match the schema, cite known refs and use only numbers from the facts, or it is discarded.
It may also review the blocker miner's unsure calls; that review annotates and counts nothing.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field

import openai

from config.instance_settings import load_allowlist, load_llm_settings
from config.urlsafety import UnsafeURL, check_outbound_url
from sync.analysis.llm_client import pinned_llm_client
from okr_core.analysis.blocker_review import (
    REVIEW_SCHEMA, ReviewRejected, check_review, review_batches, review_messages,
)
from okr_core.analysis.narrative_check import NarrativeRejected, check_narrative, response_schema
from okr_core.analysis.narrative_template import template_narrative
from okr_core.analysis.prompt import Prompt

log = logging.getLogger("okrsync.analysis.narrative")

TIMEOUT_SECONDS = 30
MAX_RETRIES = 2
NARRATIVE_VERSION = "1"
TEMPLATE_MODEL = "template"


@dataclass(frozen=True)
class LlmConfig:
    """Which model narrates, where it is served, the key, and the private hosts it may reach."""

    model: str
    base_url: str | None
    api_key: str | None = field(default=None, repr=False)
    allowlist: tuple[str, ...] = ()


def llm_config(session, settings, box, extra_allowlist: tuple[str, ...] = ()) -> LlmConfig:
    """The admin's LLM settings (the environment's when none are saved) and allowlist."""
    llm = load_llm_settings(session, settings, box)
    allowed = tuple(settings.outbound_allowlist) + tuple(extra_allowlist) + load_allowlist(session)
    return LlmConfig(llm.model, llm.base_url, llm.api_key, allowed)


@dataclass(frozen=True)
class NarrativeResult:
    """The narrative to store, the model that wrote it, and whether a call was made."""

    narrative: dict
    model: str
    called: bool


def make_client(config: LlmConfig) -> openai.OpenAI:
    """An OpenAI client on the configured base URL, sending through the checked session."""
    return pinned_llm_client(config.api_key, config.base_url, config.allowlist,
                             timeout=TIMEOUT_SECONDS, max_retries=MAX_RETRIES)


def inputs_hash(prompt: Prompt, config: LlmConfig) -> str:
    """What decides the narrative: the prompt, the model and where it is served."""
    digest = hashlib.sha256()
    for part in (NARRATIVE_VERSION, config.model, config.base_url or "",
                 prompt.system, prompt.user):
        digest.update(part.encode() + b"\x00")
    return digest.hexdigest()


def template_result(prompt: Prompt, reason: str) -> NarrativeResult:
    """The template narrative, marked with why the model's was not used."""
    narrative = {**template_narrative(prompt.facts, list(prompt.quotes)), "source": "template", "fallback_reason": reason}
    return NarrativeResult(narrative, TEMPLATE_MODEL, called=False)


def structured_answer(client: openai.OpenAI, model: str, messages: list[dict], name: str,
                      schema: dict) -> dict:
    """One structured-output call, no tools; the answer's JSON, or NarrativeRejected."""
    completion = client.chat.completions.create(
        model=model, messages=messages, temperature=0.2,
        response_format={"type": "json_schema",
                         "json_schema": {"name": name, "strict": True, "schema": schema}})
    message = completion.choices[0].message
    if getattr(message, "refusal", None):
        raise NarrativeRejected(f"refusal: {message.refusal[:200]}")
    if completion.choices[0].finish_reason == "length" or not message.content:
        raise NarrativeRejected("the answer was cut off or empty")
    try:
        return json.loads(message.content)
    except ValueError as exc:
        raise NarrativeRejected(f"malformed JSON: {exc}") from exc


def request_narrative(client: openai.OpenAI, prompt: Prompt, model: str) -> dict:
    """The model's narrative, checked against the schema and the facts."""
    payload = structured_answer(client, model, prompt.messages, "okr_analysis_narrative",
                                response_schema())
    return check_narrative(payload, prompt.facts)


def checked_client(config: LlmConfig) -> openai.OpenAI:
    """A client whose base URL passed the outbound check (refused before any attempt)."""
    client = make_client(config)
    check_outbound_url(str(client.base_url), config.allowlist)
    return client


def narrate(prompt: Prompt, config: LlmConfig, cached: dict | None = None) -> NarrativeResult:
    """The model's narrative (or a cached one for the same inputs); the template when it fails."""
    if not config.api_key:
        return template_result(prompt, "no_api_key")
    if cached is not None:
        return NarrativeResult(cached, config.model, called=False)
    try:
        narrative = request_narrative(checked_client(config), prompt, config.model)
    except (openai.OpenAIError, NarrativeRejected, UnsafeURL) as exc:
        reason = type(exc).__name__
        log.warning("analysis.narrative.llm-failed",
                    extra={"reason": reason, "detail": str(exc)[:300], "model": config.model})
        return template_result(prompt, reason)
    return NarrativeResult({**narrative, "source": "llm"}, config.model, called=True)


def review_ambiguous(config: LlmConfig, ambiguous: list[dict]) -> list[dict]:
    """The model's second opinion on the miner's unsure calls, batch by batch; [] without a key.

    A failed batch ends the review (logged); the batches already answered are kept.
    """
    if not config.api_key or not ambiguous:
        return []
    reviewed: list[dict] = []
    try:
        client = checked_client(config)
        for batch in review_batches(ambiguous):
            payload = structured_answer(client, config.model, review_messages(batch),
                                        "blocker_review", REVIEW_SCHEMA)
            reviewed += check_review(payload, batch)
    except (openai.OpenAIError, NarrativeRejected, ReviewRejected, UnsafeURL) as exc:
        log.warning("analysis.blockers.review-failed",
                    extra={"reason": type(exc).__name__, "detail": str(exc)[:300],
                           "model": config.model, "reviewed": len(reviewed)})
    return reviewed
