"""The analysis narrative: an OpenAI-compatible model phrases the computed facts, or a template does.

The model gets no tools and only summarised facts; comments reach it quoted, as data. Its answer
must match the schema, cite known refs and use only numbers from the facts, or it is discarded.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass

import httpx2
import openai
import requests

from config.urlsafety import UnsafeURL, safe_session
from okr_core.analysis.narrative_check import NarrativeRejected, check_narrative, response_schema
from okr_core.analysis.narrative_template import template_narrative
from okr_core.analysis.prompt import Prompt

log = logging.getLogger("okrsync.analysis.narrative")

TIMEOUT_SECONDS = 30
MAX_RETRIES = 2
NARRATIVE_VERSION = "1"
TEMPLATE_MODEL = "template"


class RequestsTransport(httpx2.BaseTransport):
    """Sends the openai client's requests through a checked `requests` session (SSRF rules apply)."""

    def __init__(self, session: requests.Session):
        self._session = session

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        timeout = request.extensions.get("timeout", {})
        try:
            answer = self._session.request(
                request.method, str(request.url), headers=dict(request.headers),
                data=request.read(), allow_redirects=False,
                timeout=(timeout.get("connect"), timeout.get("read")))
        except requests.Timeout as exc:
            raise httpx2.ReadTimeout(str(exc), request=request) from exc
        except (requests.ConnectionError, UnsafeURL) as exc:
            raise httpx2.ConnectError(str(exc), request=request) from exc
        # requests has already decoded the body, so its encoding headers no longer apply.
        headers = [(k, v) for k, v in answer.headers.items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx2.Response(answer.status_code, headers=headers, content=answer.content,
                               request=request)


@dataclass(frozen=True)
class NarrativeResult:
    """The narrative to store, the model that wrote it, and whether a call was made."""

    narrative: dict
    model: str
    called: bool


def make_client(settings) -> openai.OpenAI:
    """An OpenAI client on the configured base URL, sending through the checked session."""
    transport = RequestsTransport(safe_session(settings.outbound_allowlist))
    return openai.OpenAI(api_key=settings.openai_api_key, base_url=settings.llm_base_url,
                         timeout=TIMEOUT_SECONDS, max_retries=MAX_RETRIES,
                         http_client=httpx2.Client(transport=transport))


def inputs_hash(prompt: Prompt, settings) -> str:
    """What decides the narrative: the prompt, the model and where it is served."""
    digest = hashlib.sha256()
    for part in (NARRATIVE_VERSION, settings.llm_model, settings.llm_base_url or "",
                 prompt.system, prompt.user):
        digest.update(part.encode() + b"\x00")
    return digest.hexdigest()


def template_result(prompt: Prompt, reason: str) -> NarrativeResult:
    """The template narrative, marked with why the model's was not used."""
    narrative = {**template_narrative(prompt.facts), "source": "template", "fallback_reason": reason}
    return NarrativeResult(narrative, TEMPLATE_MODEL, called=False)


def request_narrative(client: openai.OpenAI, prompt: Prompt, model: str) -> dict:
    """One structured-output call; the answer checked against the schema and the facts."""
    completion = client.chat.completions.create(
        model=model, messages=prompt.messages, temperature=0.2,
        response_format={"type": "json_schema", "json_schema": {
            "name": "okr_analysis_narrative", "strict": True, "schema": response_schema()}})
    message = completion.choices[0].message
    if getattr(message, "refusal", None):
        raise NarrativeRejected(f"refusal: {message.refusal[:200]}")
    if completion.choices[0].finish_reason == "length" or not message.content:
        raise NarrativeRejected("the answer was cut off or empty")
    try:
        payload = json.loads(message.content)
    except ValueError as exc:
        raise NarrativeRejected(f"malformed JSON: {exc}") from exc
    return check_narrative(payload, prompt.facts)


def narrate(prompt: Prompt, settings, cached: dict | None = None) -> NarrativeResult:
    """The model's narrative (or a cached one for the same inputs); the template when it fails."""
    if not settings.openai_api_key:
        return template_result(prompt, "no_api_key")
    if cached is not None:
        return NarrativeResult(cached, settings.llm_model, called=False)
    try:
        narrative = request_narrative(make_client(settings), prompt, settings.llm_model)
    except (openai.OpenAIError, NarrativeRejected) as exc:
        reason = type(exc).__name__
        log.warning("analysis.narrative.llm-failed",
                    extra={"reason": reason, "detail": str(exc)[:300], "model": settings.llm_model})
        return template_result(prompt, reason)
    return NarrativeResult({**narrative, "source": "llm"}, settings.llm_model, called=True)
