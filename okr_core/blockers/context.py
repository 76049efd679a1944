"""How the words around a cue change what it means: negation, hypotheticals, questions, past, resolution."""
from __future__ import annotations

import re

from okr_core.blockers.text import clause_prefix

_NEGATED = re.compile(
    r"(?:\b(?:not|no|never|nothing|nobody|none|no\s+one|no\s+longer|neither|nor)|n[’']t)\b(?:\s+\S+){0,2}\s*$"
    r"|\b(?:do|does)(?:n[’']t|\s+not)\s+(?:think|believe|feel)\b",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(
    r"\b(?:if|in\s+case|whether|what\s+if|suppose|supposing|unless|imagine|should\s+have|would\s+have|"
    r"could\s+have|might\s+have|forgot\s+to|to\s+avoid|propose\s+to)\b",
    re.IGNORECASE,
)
_SPECULATIVE = re.compile(r"\b(?:could|might|may|maybe|possibly)\b(?:\s+\S+){0,3}\s*$", re.IGNORECASE)
_FUTURE = re.compile(
    r"(?:\b(?:would|will|should|shall|going\s+to)|['’]ll)\b(?:\s+\S+){0,3}\s*$", re.IGNORECASE
)
_PAST = re.compile(r"\b(?:was|were|had|had\s+been|used\s+to\s+be)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NONE_AFTER = re.compile(r"^\s*[:=\-–]?\s*(?:none|n/?a|nothing|nil|no\b|-+\s*$)", re.IGNORECASE)
_STILL = re.compile(r"\bstill\b", re.IGNORECASE)
_IMPERATIVE_LEAD = re.compile(r"^\W*(?:(?:so|then|please|pls|kindly|just|and)\W+)*$", re.IGNORECASE)
_INFINITIVE = re.compile(
    r"(?<!\bhave)(?<!\bhas)(?<!\bhad)(?<!\bneed)(?<!\bneeds)(?<!\bgoing)(?<!\bgot)(?<!\bwant)(?<!\bwanted)"
    r"\s+to\s+$",
    re.IGNORECASE,
)
_TRAILING_IF = re.compile(r"^[^.!?]{0,40}?\bif\b", re.IGNORECASE)

_RESOLVED = re.compile(
    r"\bno\s+longer\b|\bnot\s+anymore\b|\bunblocked\b"
    r"|\b(?:now|finally)\s+(?:fixed|resolved|merged|works?|working|unblocked|available|done|live|released|"
    r"approved|green|passing|sorted)\b"
    r"|\b(?:is|are|was|were|been|got|has\s+been|have\s+been|['’]s)\s+(?:now\s+|finally\s+|since\s+)?(?:fixed|"
    r"resolved|merged|addressed|solved|sorted(?:\s+out)?|cleared|released|approved|landed|unblocked|closed|"
    r"green|gone|lifted|restored|granted)\b"
    r"|\b(?:works|working|fixed|resolved|solved|sorted)\s+now\b|\bfixed\s+(?:in|by|as\s+of|with|via)\b"
    r"|\bgave\s+(?:me\s+|us\s+)?(?:access|permissions?)\b|\bclosing\b|\bmarking\s+(?:it\s+|this\s+)?as\s+"
    r"(?:resolved|done|fixed)\b|\bwithout\s+(?:it|them|that|waiting)\b|\bgo(?:ing)?\s+ahead\b"
    r"|\bno\s+(?:longer\s+)?(?:an?\s+)?(?:issue|problem|blocker)\b",
    re.IGNORECASE,
)
# A "resolution" inside a condition or a time clause ("until it is merged") is not one.
_CONDITION_LEAD = re.compile(
    r"\b(?:until|till|once|when|after|if|before|unless|as\s+soon\s+as|since|hope|hoping|expect|by\s+the\s+time)\b",
    re.IGNORECASE,
)

NEGATED, RESOLVED = 0.0, 0.15


def cue_modifier(sentence: str, start: int, end: int, matched: str) -> float:
    """Multiplier for a cue found at sentence[start:end] from the grammar around it."""
    before = sentence[:start]
    prefix = clause_prefix(before)
    if _NEGATED.search(prefix) or _NONE_AFTER.match(sentence[end:]):
        return NEGATED
    if _resolved_in(prefix):
        return RESOLVED
    factor = 1.0
    if _CONDITIONAL.search(before.rsplit(";", 1)[-1]) or _TRAILING_IF.search(sentence[end:]):
        factor *= 0.3
    elif _SPECULATIVE.search(prefix):
        factor *= 0.4
    elif _FUTURE.search(prefix):
        factor *= 0.55
    if _PAST.search(prefix) and not _STILL.search(prefix):
        factor *= 0.4
    if sentence.rstrip().endswith("?"):
        factor *= 0.5
    if matched.lower() == "wait" or matched.lower().startswith("wait "):
        factor *= _wait_form_factor(prefix)
    return factor


def _wait_form_factor(prefix: str) -> float:
    """Bare "wait" as an order ("so wait for Monday") or a purpose ("to wait for") is no blocker report."""
    if _IMPERATIVE_LEAD.match(prefix):
        return 0.4
    if _INFINITIVE.search(" " + prefix):
        return 0.5
    return 1.0


def _resolved_in(prefix: str) -> bool:
    """A resolution stated earlier in the same clause ("was closed for lack of response")."""
    return any(not _CONDITION_LEAD.search(prefix[max(0, m.start() - 45):m.start()])
               for m in _RESOLVED.finditer(prefix))


def last_resolution(text: str, sentences: list[tuple[int, int]]) -> int:
    """Offset of the last statement that the problem went away ("now fixed", "closing"), -1 if none."""
    last = -1
    for s_start, s_end in sentences:
        sentence = text[s_start:s_end]
        for match in _RESOLVED.finditer(sentence):
            lead = sentence[max(0, match.start() - 45):match.start()]
            if not _CONDITION_LEAD.search(lead):
                last = s_start + match.start()
    return last
