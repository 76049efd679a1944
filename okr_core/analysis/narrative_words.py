"""Small wording helpers shared by the template narrative's sentences."""
from __future__ import annotations

import re

from okr_core.analysis.narrative_check import canonical_number

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
PHRASE_CHARS = 60
MAX_REFS = 12       # narrative_check's schema


def band(score: int) -> str:
    """The guide's word for a health score."""
    return "good progress" if score >= 70 else "needs attention" if score >= 50 else "at risk"


def by_whom(row: dict) -> str:
    """" (Dana, Platform)" from a row's owner and team, "" when neither is known."""
    names = [name for name in (row.get("owner"), row.get("team")) if name]
    return f" ({', '.join(names)})" if names else ""


def safe_phrase(phrase: str, allowed: set[str]) -> str:
    """A quoted blocker phrase without words carrying numbers that the facts do not hold."""
    words = [w for w in phrase.replace('"', "'").split()
             if all(canonical_number(n) in allowed for n in _NUMBER.findall(w))]
    return " ".join(words)[:PHRASE_CHARS].strip()


def blocker_phrases(quotes: list[dict], allowed: set[str]) -> dict[str, str]:
    """Blocker ref -> its phrase, from the quoted data."""
    return {q["blocker"]: safe_phrase(q["phrase"], allowed) for q in quotes if "phrase" in q}


def unique_entries(entries: list[dict]) -> list[dict]:
    """Entries with a sentence not seen before (case and spacing aside), in order."""
    seen, kept = set(), []
    for entry in entries:
        key = " ".join(entry["text"].lower().split())
        if key not in seen:
            seen.add(key)
            kept.append({**entry, "refs": list(dict.fromkeys(entry["refs"]))[:MAX_REFS]})
    return kept
