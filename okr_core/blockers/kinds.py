"""Which kind of blocker a text describes, from the vocabulary around the thing that blocks."""
from __future__ import annotations

import re

from okr_core.blockers.model import BlockerKind as K


def _terms(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


# (pattern, kind, weight): specific compounds weigh more than generic words.
_LEXICON: tuple[tuple[re.Pattern, K, float], ...] = (
    (_terms(r"\b(?:app|play|web|add-?ons?|extension|mac\s+app)\s+store\b|\bmarketplace\b|\bapp\s+center\b"
            r"|\breview\s+queue\b|\bstore\s+review\b"), K.EXTERNAL, 3.0),
    (_terms(r"\bvendors?\b|\bsuppliers?\b|\bthird[- ]part(?:y|ies)\b|\bupstream\b|\bcustomers?\b|\bclients?\b"
            r"|\bpartners?\b|\bcontractors?\b|\bagency\b|\bregulators?\b|\bcertification\b|\bauditors?\b"
            r"|\b(?:their|client|customer|vendor)\s+side\b|\bsupport\s+(?:team|ticket|case)\b"
            r"|\bcontact(?:ed|ing)?\s+(?:them|support|their)\b|\bsupport\s+(?:for\s+)?[a-z]+\s*\d"), K.EXTERNAL, 2.0),
    (_terms(r"\breview(?:s|ed|er|ers)?\b|\bapprov(?:e|al|als|ed|er|ers)\b|\bsign[- ]?off\b|\bfeedback\b"
            r"|\binput\b|\banswers?\b|\brepl(?:y|ies)\b|\bconfirm(?:ation)?\b|\breporter\b|\badmins?\b"
            r"|\bmaintainers?\b|\bauthor\b|\bdesigners?\b|\bux\b|\bmanager\b|\blegal\b|\bsomeone\b|\banyone\b"
            r"|\bcolleagues?\b|\bdecision\b|\binfo(?:rmation)?\b|\bhe\b|\bshe\b|@\w+"),
     K.PERSON, 1.5),
    (_terms(r"\bcapacity\b|\bbandwidth\b|\bheadcount\b|\bstaff\w*\b|\bhir(?:e|ing)\b|\bbudget\b|\bfunding\b"
            r"|\blicen[cs]es?\b|\bseats?\b|\baccess\b|\bpermissions?\b|\bcredentials\b|\bquota\b|\bminutes\b"
            r"|\bhardware\b|\bdevices?\b|\blaptops?\b|\bmac\s?(?:os|book)?\b|\bgpus?\b|\bmachines?\b"
            r"|\baway\b|\bvacation\b|\bleave\b|\bholidays?\b|\bout\s+of\s+office\b|\bsick\b|\bcrunch\b"
            r"|\bback\s+burner\b|\btime\b|\bpeople\b|\bhands\b|\bunderstaffed\b"), K.RESOURCE, 1.5),
    (_terms(r"\bci\b|\bbuilds?\b|\bpipelines?\b|\bflak(?:y|ey)\b|\bfail(?:s|ing|ed|ures?)?\b|\bbroken\b"
            r"|\bcrash\w*\b|\bbugs?\b|\benvironments?\b|\bstaging\b|\bdeploy\w*\b|\btooling\b|\bcompiler\b"
            r"|\bframework\b|\binfra\w*\b|\brate[- ]limit\w*\b|\brunners?\b|\bdocker\b|\bdatabase\b|\boutage\b"
            r"|\btimeouts?\b|\btech(?:nical)?\s+debt\b|\blegacy\b|\brefactor\w*\b|\btests?\s+(?:are\s+)?fail\w*"),
     K.TECHNICAL, 1.5),
    (_terms(r"\bprs?\b|\bpull\s+requests?\b|#\d+|\bissues?\b|\btickets?\b|\bstor(?:y|ies)\b|\bepics?\b"
            r"|\b[a-z][\w.-]*/[\w.-]+#\d+|\bmerg(?:e|ed|ing)\b|\breleas(?:e|es|ed)\b|\bversions?\b|\bland(?:s|ed)?\b"
            r"|\bbranch\b|\bteams?\b|\bbackend\b|\bfrontend\b|\bspecs?\b|\bspecification\b|\bdesigns?\b"
            r"|\bdependenc(?:y|ies)\b|\bpatch\b|\bfix(?:es)?\b|\bmockups?\b|\bcontracts?\b"), K.DEPENDENCY, 1.0),
    (re.compile(r"\b[A-Z][A-Z0-9]+-\d+\b"), K.DEPENDENCY, 1.5),
)
_STORE_CONTEXT = _LEXICON[0][0]
_REVIEWISH = re.compile(r"\breview|\bapprov", re.IGNORECASE)

# How much each place counts: the words naming the blocker, its sentence, the whole text.
_AGENT, _SENTENCE, _TEXT = 3.0, 1.0, 0.3
_HINT = 1.0


def _score(text: str, scale: float, scores: dict[K, float]) -> None:
    for pattern, kind, weight in _LEXICON:
        hits = len(pattern.findall(text))
        if hits:
            scores[kind] = scores.get(kind, 0.0) + scale * weight * min(hits, 2)


def classify_kind(agent: str, sentence: str, text: str, hints: list[K]) -> K:
    """The most likely kind: lexicon hits near the blocker count most, cue hints break ties."""
    scores: dict[K, float] = {}
    _score(agent, _AGENT, scores)
    _score(sentence, _SENTENCE, scores)
    _score(text, _TEXT, scores)
    for rank, hint in enumerate(hints):
        scores[hint] = scores.get(hint, 0.0) + _HINT / (rank + 1)
    if not scores:
        return K.DEPENDENCY
    best = max(scores, key=scores.__getitem__)
    # A review or approval in a store's context is the store's review, not a colleague's.
    if best is K.PERSON and _REVIEWISH.search(sentence) and _STORE_CONTEXT.search(text):
        return K.EXTERNAL
    return best
