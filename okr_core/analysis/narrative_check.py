"""The narrative's schema and the checks an LLM answer must pass: shape, refs, and numbers."""
from __future__ import annotations

import re
from typing import Callable, Iterator

import jsonschema

REF_PATTERN = r"^(kr|objective|team|blocker|rec):[0-9]+$"
_REF = re.compile(REF_PATTERN)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _entry(text_limit: int) -> dict:
    return {"type": "object", "additionalProperties": False, "required": ["text", "refs"],
            "properties": {"text": {"type": "string", "maxLength": text_limit},
                           "refs": {"type": "array", "maxItems": 12,
                                    "items": {"type": "string", "pattern": REF_PATTERN}}}}


NARRATIVE_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "required": ["headline", "summary", "highlights", "concerns", "recommendations"],
    "properties": {
        "headline": {"type": "string", "maxLength": 200},
        "summary": {"type": "string", "maxLength": 1500},
        "highlights": {"type": "array", "maxItems": 8, "items": _entry(400)},
        "concerns": {"type": "array", "maxItems": 8, "items": _entry(400)},
        "recommendations": {"type": "array", "maxItems": 10, "items": _entry(400)},
    },
}
_LIMIT_KEYWORDS = ("maxLength", "maxItems", "pattern")


def response_schema() -> dict:
    """The schema as sent to the model: strict structured outputs take no length or pattern."""
    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in _LIMIT_KEYWORDS}
        return [strip(v) for v in node] if isinstance(node, list) else node
    return strip(NARRATIVE_SCHEMA)


class NarrativeRejected(ValueError):
    """The model's answer may not be shown: wrong shape, unknown ref, or a number not in the facts."""


def canonical_number(raw: str) -> str:
    """"1,000" -> "1000", "72.0" -> "72", "0.70" -> "0.7"."""
    value = float(raw.replace(",", ""))
    return str(int(value)) if value == int(value) else repr(round(value, 4))


def _walk(value) -> Iterator:
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
    else:
        yield value


def allowed_numbers(facts: dict) -> set[str]:
    """Every number in the facts, as a value or inside a text (titles, names, refs)."""
    allowed = set()
    for value in _walk(facts):
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float)):
            allowed.add(canonical_number(str(abs(value))))
        elif isinstance(value, str):
            allowed.update(canonical_number(n) for n in _NUMBER.findall(value))
    return allowed


def check_shape_and_numbers(answer, schema: dict, texts: Callable[[dict], Iterator[str]], facts: dict) -> None:
    """NarrativeRejected unless the answer matches `schema` and its texts use only the facts' numbers."""
    try:
        jsonschema.validate(answer, schema)
    except jsonschema.ValidationError as exc:
        raise NarrativeRejected(f"schema: {exc.message}") from exc
    allowed = allowed_numbers(facts)
    for text in texts(answer):
        invented = [n for n in _NUMBER.findall(text) if canonical_number(n) not in allowed]
        if invented:
            raise NarrativeRejected(f"numbers not in the facts: {', '.join(invented[:5])}")


def known_refs(facts: dict) -> set[str]:
    """Every object reference the facts contain."""
    return {v for v in _walk(facts) if isinstance(v, str) and _REF.match(v)}


def _texts(narrative: dict) -> Iterator[str]:
    yield narrative["headline"]
    yield narrative["summary"]
    for part in ("highlights", "concerns", "recommendations"):
        for entry in narrative[part]:
            yield entry["text"]


def check_narrative(narrative, facts: dict) -> dict:
    """The narrative when it passes every check; raises NarrativeRejected saying why."""
    check_shape_and_numbers(narrative, NARRATIVE_SCHEMA, _texts, facts)
    refs = known_refs(facts)
    unknown = {ref for part in ("highlights", "concerns", "recommendations")
               for entry in narrative[part] for ref in entry["refs"] if ref not in refs}
    if unknown:
        raise NarrativeRejected(f"unknown refs: {', '.join(sorted(unknown)[:5])}")
    return narrative
