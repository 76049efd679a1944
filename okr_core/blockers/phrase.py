"""A short phrase naming what blocks, taken from the words around the cue."""
from __future__ import annotations

import re

from okr_core.blockers.cues import AFTER, BEFORE
from okr_core.blockers.text import clauses

_MAX_WORDS = 6
_MAX_CHARS = 80
# Where the object of "waiting on ..." / "blocked by ..." stops.
_OBJECT_END = re.compile(
    r"[.!?;:\n()\[\]\"“”,]|\s[-–—]\s"
    r"|\s(?:before|so|because|but|and|which|since|to|until|till|while|though|although|as|now|right\s+now|"
    r"at\s+the\s+moment|anymore|yet|is|are|was|were|has|have|had|been)\b"
    r"|\sfor\s+(?:\d|a\s|the\s|almost|over|about|more|long|weeks|days|months)",
    re.IGNORECASE,
)
_FILLER = (
    r"the|a|an|this|that|these|those|it|its|it's|it’s|is|are|was|currently|still|now|just|also|and|so|which|who|"
    r"we|i|i'm|i’m|'m|’m|we're|we’re|we've|we’ve|i've|i’ve|they|they're|they've|our|my|some|any|am|'re|’re|"
    r"will|be|there|here|then|get|got|only|but|or|many|all|most|so|simply|really|please|yes|ok|okay|hi|hey|"
    r"as|at|in|on|of|for|to|with|by|from|because|since|while|when|if|though"
)
_LEADING_FILLER = re.compile(rf"^(?:(?:{_FILLER})\s+)+", re.IGNORECASE)
_APOSTROPHES = str.maketrans("’", "'")
_FILLER_WORD = re.compile(rf"^(?:{_FILLER}|[\W\d]+)$", re.IGNORECASE)
_PREPOSITION = re.compile(r"\b(?:on|of|at|from|in|with|for|by|until|till|to|behind)$", re.IGNORECASE)
# After "until" comes a clause ("until we have a Mac"), after "due to" a cause.
_CLAUSE_CUE = re.compile(r"\b(?:until|till|due\s+to|because(?:\s+of)?)$", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.!?;:\n()\[\],]|\s[-–—]\s|\s(?:so|but|and|because|which|since)\b", re.IGNORECASE)
_CAUSE_CUE = re.compile(r"\b(?:due\s+to|because(?:\s+of)?)$", re.IGNORECASE)
_LIST_START = re.compile(r"^\s*(?:\d+[.)]|[-*•])?\s*")


def _words(text: str, limit: int = _MAX_WORDS) -> str:
    return " ".join(text.split()[:limit])


def _object_after(rest: str) -> str:
    """The noun phrase after a cue, e.g. "design specs" in "waiting on design specs, ..."."""
    if rest.lstrip().startswith(":"):
        rest = _LIST_START.sub("", rest.lstrip()[1:])
    end = _OBJECT_END.search(rest)
    return _words(rest[: end.start()] if end else rest)


def _subject_before(head: str, previous: str) -> str:
    """The subject of "X is blocking ...": the nearest clause before the cue that says more than "it"."""
    for clause in reversed([*clauses(previous), *clauses(head)]):
        subject = _LEADING_FILLER.sub("", clause.strip() + " ").strip().rstrip(".!?")
        if subject:
            return _words(subject)
    return ""


def _modifiers_before(head: str) -> str:
    """Up to two content words right before a cue ("Docker Hub" in "Docker Hub rate limit")."""
    kept: list[str] = []
    for word in reversed(head.split()[-2:]):
        if _FILLER_WORD.match(word) or not word[-1].isalnum():
            break
        kept.insert(0, word)
    return " ".join(kept)


def agent_and_phrase(
    sentence: str, start: int, end: int, side: str, previous: str = "", following: str = ""
) -> tuple[str, str]:
    """(words naming the blocker, readable phrase) for a cue at sentence[start:end]."""
    cue_text = " ".join(sentence[start:end].split()).translate(_APOSTROPHES)
    if side == AFTER:
        rest = sentence[end:]
        if _CLAUSE_CUE.search(cue_text):
            agent = _words(_CLAUSE_END.split(rest, 1)[0])
        elif rest.strip() in ("", ":"):     # "Waiting for:" and a list on the next lines
            agent = _object_after(_LIST_START.sub("", following))
        else:
            agent = _object_after(rest)
        if _CAUSE_CUE.search(cue_text) and agent:
            return agent, _trim(agent)      # "failing due to X": X is what blocks
        return agent, _trim(f"{cue_text} {agent}" if agent else cue_text)
    if side == BEFORE:
        agent = _subject_before(sentence[:start], previous)
        return agent, _trim(agent or cue_text)
    cue_text = _LEADING_FILLER.sub("", cue_text + " ").strip() or cue_text
    modifiers = _modifiers_before(sentence[:start])
    tail = _object_after(sentence[end:])
    phrase = f"{modifiers} {cue_text}".strip()
    if tail and (_PREPOSITION.search(cue_text) or re.match(r"(?:on|of|at|from|in|with|for)\b", tail, re.I)):
        phrase = f"{phrase} {tail}"
    return f"{modifiers} {cue_text} {tail}".strip(), _trim(phrase)


def _trim(phrase: str) -> str:
    phrase = phrase.strip(" -–—,;:'\"’")
    if len(phrase) > _MAX_CHARS:
        phrase = phrase[:_MAX_CHARS].rsplit(" ", 1)[0]
    return phrase
