"""Which kind of blocker a text describes, from the vocabulary around the thing that blocks.

Words are looked up in dictionaries rather than matched with regexes: classification runs on every
finding and must stay a few microseconds.
"""
from __future__ import annotations

import re

from okr_core.blockers.model import BlockerKind as K

_EXTERNAL = K.EXTERNAL, 2.0
_PERSON = K.PERSON, 1.5
_RESOURCE = K.RESOURCE, 1.5
_TECHNICAL = K.TECHNICAL, 1.5
_DEPENDENCY = K.DEPENDENCY, 1.0


def _words(kind_weight, words: str) -> dict[str, tuple[K, float]]:
    return {word: kind_weight for word in words.split()}


# Single words; specific compounds weigh more and are listed in _COMPOUNDS.
_WORDS: dict[str, tuple[K, float]] = {
    **_words(_DEPENDENCY, "pr prs pull issue issues ticket tickets story stories epic epics merge merged merging "
                          "release releases released version versions land lands landed branch team teams backend "
                          "frontend spec specs specification design designs dependency dependencies patch fix "
                          "fixes mockup mockups contract contracts"),
    **_words(_TECHNICAL, "ci build builds pipeline pipelines flaky flakey fail fails failing failed failure failures "
                         "broken bug bugs environment environments staging tooling compiler framework runner "
                         "runners docker database outage timeout timeouts legacy"),
    **_words(_RESOURCE, "capacity bandwidth headcount hire hiring budget funding license licenses licence seat seats "
                        "access permission permissions credentials quota minutes hardware device devices laptop "
                        "laptops mac macos macbook gpu gpus machine machines away vacation leave holiday holidays "
                        "sick crunch time people hands understaffed"),
    **_words(_PERSON, "review reviews reviewed reviewer reviewers approve approval approvals approved approver "
                      "approvers signoff sign-off feedback input answer answers reply replies confirm confirmation "
                      "reporter admin admins maintainer maintainers author designer designers ux manager legal "
                      "someone anyone colleague colleagues decision info information he she"),
    **_words(_EXTERNAL, "vendor vendors supplier suppliers third-party upstream customer customers client clients "
                        "partner partners contractor contractors agency regulator regulators certification auditor "
                        "auditors marketplace"),
}
# Five-letter stems: deploy*, crash*, infra*, refactor*, staff*.
_STEMS: dict[str, tuple[K, float]] = {
    "deplo": _TECHNICAL, "crash": _TECHNICAL, "infra": _TECHNICAL, "refac": _TECHNICAL, "staff": _RESOURCE,
}
_WORD_SET = frozenset(_WORDS)
_TOKEN_SPLIT = re.compile(r"[\s]+")
_STEM_SET = frozenset(_STEMS)
_COMPOUNDS: tuple[tuple[str, tuple[K, float]], ...] = (
    ("app store", (K.EXTERNAL, 3.0)), ("play store", (K.EXTERNAL, 3.0)), ("web store", (K.EXTERNAL, 3.0)),
    ("add-on store", (K.EXTERNAL, 3.0)), ("addons store", (K.EXTERNAL, 3.0)), ("extension store", (K.EXTERNAL, 3.0)),
    ("app center", (K.EXTERNAL, 3.0)), ("review queue", (K.EXTERNAL, 3.0)), ("store review", (K.EXTERNAL, 3.0)),
    ("third party", _EXTERNAL), ("their side", _EXTERNAL), ("client side", _EXTERNAL),
    ("customer side", _EXTERNAL), ("vendor side", _EXTERNAL), ("support team", _EXTERNAL),
    ("support ticket", _EXTERNAL), ("support case", _EXTERNAL), ("contact support", _EXTERNAL),
    ("contacted support", _EXTERNAL), ("contact them", _EXTERNAL), ("contacting them", _EXTERNAL),
    ("pull request", _DEPENDENCY), ("sign off", _PERSON), ("out of office", _RESOURCE),
    ("back burner", _RESOURCE), ("rate limit", _TECHNICAL), ("rate-limit", _TECHNICAL),
    ("tech debt", _TECHNICAL), ("technical debt", _TECHNICAL),
)
_COMPOUNDS_BY_FIRST: dict[str, list[tuple[str, tuple[K, float]]]] = {}
for _compound, _kind_weight in _COMPOUNDS:
    _COMPOUNDS_BY_FIRST.setdefault(_TOKEN_SPLIT.split(_compound)[0], []).append((_compound, _kind_weight))
_COMPOUND_FIRSTS = frozenset(_COMPOUNDS_BY_FIRST)
_STORE_WORDS = tuple(text for text, (kind, weight) in _COMPOUNDS if weight == 3.0) + ("marketplace",)
_SUPPORT_FOR_VERSION = re.compile(r"\bsupport\s+(?:for\s+)?[a-z]+\s*\d", re.IGNORECASE)
_JIRA_KEY = re.compile(r"\b[A-Z][A-Z0-9]+-\d+\b")
_TOKEN = re.compile(r"[#@]?[a-z0-9](?:[a-z0-9'/#.-]*[a-z0-9])?")

_KIND_ORDER = {kind: rank for rank, kind in enumerate(K)}
# How much each place counts: the words naming the blocker, its sentence, the whole text.
_AGENT, _SENTENCE, _TEXT = 3.0, 1.0, 0.3
_HINT = 1.0


def _token_kinds(lowered: str) -> list[tuple[K, float]]:
    """Kind and weight of each distinct known word or compound (set operations keep this in C)."""
    tokens = set(_TOKEN.findall(lowered))
    found = [_WORDS[token] for token in tokens & _WORD_SET]
    for first in tokens & _COMPOUND_FIRSTS:
        found += [kind_weight for compound, kind_weight in _COMPOUNDS_BY_FIRST[first] if compound in lowered]
    found += [_STEMS[stem] for stem in {token[:5] for token in tokens} & _STEM_SET]
    if "#" in lowered:      # #123 or owner/repo#123
        found += [_DEPENDENCY for token in tokens if "#" in token]
    if "@" in lowered:
        found += [_PERSON for token in tokens if token[0] == "@"]
    return found


def _score(text: str, scale: float, scores: dict[K, float]) -> None:
    lowered = text.lower()
    counts: dict[K, float] = {}
    for kind, weight in _token_kinds(lowered):
        counts[kind] = counts.get(kind, 0.0) + weight
    if "support" in lowered and _SUPPORT_FOR_VERSION.search(lowered):
        counts[K.EXTERNAL] = counts.get(K.EXTERNAL, 0.0) + 2.0
    if "-" in text and _JIRA_KEY.search(text):
        counts[K.DEPENDENCY] = counts.get(K.DEPENDENCY, 0.0) + 1.5
    for kind, total in counts.items():
        # Repetition adds a little, but a long text must not win by sheer length.
        scores[kind] = scores.get(kind, 0.0) + scale * min(total, 4.0)


def _clear_winner(scores: dict[K, float]) -> bool:
    """The rest of the text (weight 0.3, capped) could not change a lead this large."""
    ranked = sorted(scores.values(), reverse=True) + [0.0, 0.0]
    return ranked[0] - ranked[1] > _TEXT * 4.0 * 2


def classify_kind(agent: str, sentence: str, text: str, hints: list[K]) -> K:
    """The most likely kind: vocabulary near the blocker counts most, cue hints break ties."""
    scores: dict[K, float] = {}
    _score(agent, _AGENT, scores)
    _score(sentence, _SENTENCE, scores)
    for rank, hint in enumerate(hints):
        scores[hint] = scores.get(hint, 0.0) + _HINT / (rank + 1)
    if text != sentence and not _clear_winner(scores):
        _score(text, _TEXT, scores)
    if not scores:
        return K.DEPENDENCY
    # Ties go to the kind listed first in BlockerKind: never to the order a set happened to yield words.
    best = max(scores, key=lambda kind: (scores[kind], -_KIND_ORDER[kind]))
    # A review or approval in a store's context is the store's review, not a colleague's.
    lowered = text.lower()
    if best is K.PERSON and ("review" in lowered or "approv" in lowered) and any(
        store in lowered for store in _STORE_WORDS
    ):
        return K.EXTERNAL
    return best
