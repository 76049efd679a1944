"""A short phrase naming what blocks, taken from the words around the cue."""
from __future__ import annotations

import re

from okr_core.blockers.cues import AFTER, BEFORE

_MAX_WORDS = 6
_MAX_CHARS = 80
# Where the object of "waiting on ..." / "blocked by ..." stops.
_OBJECT_END = re.compile(
    r"[.!?;:\n()\[\]\"“”,]|\s[-–—]\s"
    r"|\s(?:before|so|because|but|and\s+then|which|since|to|until|till|while|though|although|as|and\s+i|"
    r"and\s+we|now|right\s+now|at\s+the\s+moment|anymore|yet)\b"
    r"|\sfor\s+(?:\d|a\s|the\s|almost|over|about|more|long|weeks|days|months)",
    re.IGNORECASE,
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:the|a|an|this|that|these|those|it|its|it's|is|are|was|currently|still|now|just|also|and|so|"
    r"which|who|we|i|our|my|some|any)\s+)+",
    re.IGNORECASE,
)
_LIST_START = re.compile(r"^\s*:?\s*(?:\d+[.)]|[-*•])?\s*", re.IGNORECASE)


def _words(text: str, limit: int = _MAX_WORDS) -> str:
    return " ".join(text.split()[:limit])


def _object_after(sentence_rest: str) -> str:
    """The noun phrase after a cue, e.g. "design specs" in "waiting on design specs, ..."."""
    rest = sentence_rest
    if rest.lstrip().startswith(":"):
        rest = _LIST_START.sub("", rest.lstrip()[1:])
    end = _OBJECT_END.search(rest)
    return _words(rest[: end.start()] if end else rest)


def _subject_before(sentence_head: str) -> str:
    """The subject of "X is blocking ...": the start of the sentence up to the cue."""
    head = _LEADING_FILLER.sub("", sentence_head.strip())
    return _words(head)


def agent_and_phrase(sentence: str, start: int, end: int, side: str) -> tuple[str, str]:
    """(words naming the blocker, readable phrase) for a cue at sentence[start:end]."""
    cue_text = " ".join(sentence[start:end].split())
    if side == AFTER:
        agent = _object_after(sentence[end:])
        phrase = f"{cue_text} {agent}" if agent else cue_text
    elif side == BEFORE:
        agent = _subject_before(sentence[:start])
        phrase = agent or cue_text
    else:
        agent = cue_text
        tail = _object_after(sentence[end:])
        phrase = f"{cue_text} {tail}" if tail and re.match(r"(?:on|of|at|from|in|with|for)\b", tail, re.I) else cue_text
        if tail:
            agent = f"{cue_text} {tail}"
    return agent, _trim(phrase)


def _trim(phrase: str) -> str:
    phrase = phrase.strip(" -–—,;:'\"")
    if len(phrase) > _MAX_CHARS:
        phrase = phrase[:_MAX_CHARS].rsplit(" ", 1)[0]
    return phrase
