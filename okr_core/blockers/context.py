"""How the words around a cue change what it means: negation, hypotheticals, questions, past, resolution.

Everything here reads folded text (lower-case, plain apostrophes, see text.fold). Patterns anchored
at the cue (`...$`) only look at the last TAIL characters before it: they are about the last few words.
"""
from __future__ import annotations

import re

from okr_core.blockers.text import clause_prefix

TAIL = 60
CLAUSE_REACH = 160
_NEGATED = re.compile(
    r"(?:\b(?:not|no|never|nothing|nobody|none|no\s+one|no\s+longer|neither|nor)|n't)\b(?:\s+\S+){0,2}\s*$"
)
_DOUBT = re.compile(r"\b(?:do|does)(?:n't|\s+not)\s+(?:think|believe|feel)\b")
# No leading \b: the engine then skips straight to candidate letters; word starts are checked after.
_CONDITIONAL = re.compile(
    r"(?:if|in\s+case|whether|what\s+if|suppose|supposing|unless|imagine|should\s+have|would\s+have|"
    r"could\s+have|might\s+have|forgot\s+to|to\s+avoid|propose\s+to)\b"
)
_SPECULATIVE = re.compile(r"\b(?:could|might|may|maybe|possibly)\b(?:\s+\S+){0,3}\s*$")
_FUTURE = re.compile(r"(?:\b(?:would|will|should|shall|going\s+to)|'ll)\b(?:\s+\S+){0,3}\s*$")
_PAST = re.compile(r"\b(?:was|were|had|had\s+been|used\s+to\s+be)\s+(?:\w+\s+)?$")
_NONE_AFTER = re.compile(r"\s*[:=\-–]?\s*(?:none|n/?a|nothing|nil|no\b|-+\s*$)")
_IMPERATIVE_LEAD = re.compile(r"\W*(?:(?:so|then|please|pls|kindly|just|and|let's|lets|let\s+us)\W+)*$")
_INFINITIVE = re.compile(
    r"(?<!\bhave)(?<!\bhas)(?<!\bhad)(?<!\bneed)(?<!\bneeds)(?<!\bgoing)(?<!\bgot)(?<!\bwant)(?<!\bwanted)"
    r"\s+to\s+$"
)
_TRAILING_IF = re.compile(r"[^.!?]{0,40}?\bif\b")

_RESOLVED = re.compile(
    r"no\s+longer\b|not\s+anymore\b|unblocked\b"
    r"|(?:now|finally)\s+(?:fixed|resolved|merged|works?|working|unblocked|available|done|live|released|"
    r"approved|green|passing|sorted)\b"
    r"|(?:is|are|was|were|been|got|has\s+been|have\s+been|'s)\s+(?:now\s+|finally\s+|since\s+)?(?:fixed|"
    r"resolved|merged|addressed|solved|sorted(?:\s+out)?|cleared|released|approved|landed|unblocked|closed|"
    r"green|gone|lifted|restored|granted)\b"
    r"|(?:works|working|fixed|resolved|solved|sorted)\s+now\b|fixed\s+(?:in|by|as\s+of|with|via)\b"
    r"|gave\s+(?:me\s+|us\s+)?(?:access|permissions?)\b|closing\b|marking\s+(?:it\s+|this\s+)?as\s+"
    r"(?:resolved|done|fixed)\b|without\s+(?:it|them|that|waiting)\b|go(?:ing)?\s+ahead\b"
    r"|no\s+(?:longer\s+)?(?:an?\s+)?(?:issue|problem|blocker)\b"
)
# Every _RESOLVED branch contains one of these: a cheap test before the regex scan.
_RESOLUTION_WORDS = (
    "longer", "anymore", "unblocked", "now", "fixed", "resolved", "merged", "addressed", "solved", "sorted",
    "cleared", "released", "approved", "landed", "closed", "green", "gone", "lifted", "restored", "granted",
    "gave", "closing", "marking", "without", "ahead", "issue", "problem", "blocker",
)
_RESOLUTION_HINT = re.compile("|".join(_RESOLUTION_WORDS))
_HINT_REACH = 30    # the longest stretch of a _RESOLVED match before its telling word
# A "resolution" inside a condition or a time clause ("until it is merged") is not one.
_CONDITION_LEAD = re.compile(
    r"\b(?:until|till|once|when|after|if|before|unless|as\s+soon\s+as|since|hope|hoping|expect|by\s+the\s+time)\b"
)

_NEGATION_HINTS = ("no", "n't", "neither", "nor")
_SPECULATIVE_HINTS = ("could", "might", "may", "possibly")
_FUTURE_HINTS = ("would", "will", "should", "shall", "going", "'ll")
_PAST_HINTS = ("was", "were", "had", "used")

NEGATED, RESOLVED = 0.0, 0.15


def _starts_word(pattern: re.Pattern, text: str) -> bool:
    """True when the pattern matches somewhere at the start of a word."""
    return any(m.start() == 0 or not text[m.start() - 1].isalnum() for m in pattern.finditer(text))


def _tail_search(pattern: re.Pattern, text: str, hints: tuple[str, ...] = ()) -> bool:
    """Whether the pattern matches at the end of text; `hints` are words it cannot match without."""
    tail_start = max(0, len(text) - TAIL)
    if hints and not any(hint in text[tail_start:] for hint in hints):
        return False
    return pattern.search(text, tail_start) is not None


def cue_modifier(sentence: str, start: int, end: int) -> float:
    """Multiplier for a cue found at sentence[start:end] (folded) from the grammar around it."""
    before = sentence[:start]
    prefix = clause_prefix(before[-CLAUSE_REACH:])
    negated = _tail_search(_NEGATED, prefix, _NEGATION_HINTS) or (("n't" in prefix or "not" in prefix) and _DOUBT.search(prefix))
    if negated or _NONE_AFTER.match(sentence, end):
        return NEGATED
    if resolution_in(prefix):
        return RESOLVED
    factor = 1.0
    trailing_if = "if" in sentence[end:end + 45] and _TRAILING_IF.match(sentence, end)
    if trailing_if or _starts_word(_CONDITIONAL, before.rsplit(";", 1)[-1]):
        factor *= 0.3
    elif _tail_search(_SPECULATIVE, prefix, _SPECULATIVE_HINTS):
        factor *= 0.4
    elif _tail_search(_FUTURE, prefix, _FUTURE_HINTS):
        factor *= 0.55
    if _tail_search(_PAST, prefix, _PAST_HINTS) and "still" not in prefix:
        factor *= 0.4
    if sentence.rstrip().endswith("?"):
        factor *= 0.5
    if sentence.startswith("wait", start) and not sentence.startswith("waiting", start):
        factor *= _wait_form_factor(prefix)
    return factor


def _wait_form_factor(prefix: str) -> float:
    """Bare "wait" as an order ("so wait for Monday") or a purpose ("to wait for") is no blocker report."""
    if _IMPERATIVE_LEAD.match(prefix):
        return 0.4
    if _tail_search(_INFINITIVE, " " + prefix):
        return 0.5
    return 1.0


def _resolutions(text: str, start: int = 0):
    """Statements that the problem went away, skipping those inside a condition or a time clause."""
    verified_to = -1
    for hint in _RESOLUTION_HINT.finditer(text, start):
        # The full pattern is slow on long text: try it only in a window around each telling word.
        for match in _RESOLVED.finditer(text, max(start, verified_to, hint.start() - _HINT_REACH), hint.end() + 20):
            at = match.start()
            verified_to = max(verified_to, match.end())
            if at and (text[at - 1].isalnum() or text[at - 1] == "_"):
                continue
            if not _CONDITION_LEAD.search(text, max(0, at - 45), at):
                yield at


def resolution_in(clause: str) -> bool:
    """A resolution stated in this clause ("was closed for lack of response")."""
    return next(_resolutions(clause), None) is not None


def last_resolution(folded: str, sentences: list[tuple[int, int]]) -> int:
    """Offset of the last statement that the problem went away ("now fixed", "closing"), -1 if none."""
    last = -1
    for s_start, s_end in sentences:
        for at in _resolutions(folded[s_start:s_end]):
            last = s_start + at
    return last
