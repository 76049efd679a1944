"""group_recurring(): the same blocker mentioned in several comments or check-ins, counted once each.

Two mentions are compared by their phrase ("waiting on design specs") and by the rarest words of
their text ("chrome", "store"): a one-word phrase such as "review" cannot tell a store review from a
code review. Rarest means fewest mentions in the batch, so words every comment uses are left out.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from okr_core.blockers.model import BlockerFinding, BlockerGroup, BlockerKind

SAMPLE_CHARS = 280
CONTEXT_CHARS = 600
CONTEXT_WORDS = 8          # rarest words of the text kept next to the phrase
_TOKEN = re.compile(r"[a-z0-9][a-z0-9.#/+']*[a-z0-9#]|[a-z0-9]")
_URL = re.compile(r"https?://\S+")
# Words that say "blocked", glue a sentence together or chat, but do not name what blocks.
_NOISE = frozenset(
    """a an the this that these those it its it's is are was were be been being am to of on in at by for from
    with and or but so as we i you they he she our my your their us me them him her his still now yet currently
    just also again already waiting wait waited awaiting blocked blocking blocker blocks block pending stuck
    held hold up off until till because due need needs needed require requires required first depends
    depending dependent once can't cannot unable able no not any some more most get got getting gets have
    has had having do does did done will would shall should could can may might must preventing prevents
    keep keeping hit reached out new there here what which who whom whose when where why how all many much
    very really too only about into over under than then if else one two three few lot lots bit don't doesn't
    didn't isn't aren't wasn't won't can't couldn't shouldn't wouldn't haven't hasn't i'm i'll i've i'd we're
    we'll we've we'd you're you've they're they've it'll that's there's here's let's thanks thank please hi
    hey hello like know think see seems seem make made use used using way time times day days week weeks
    month months year years today tomorrow yesterday soon later since ago after before while during next
    last other another same such own each every both either neither something anything nothing someone
    anyone everyone thing things sure okay ok yes yeah well good great maybe probably perhaps actually
    anyway though although however therefore hope hoping sorry note go going gone went come coming say said
    tell told ask asked try trying tried want wanted look looking take taking give given put set long""".split()
)
Signature = tuple[frozenset[str], frozenset[str]]   # (phrase words, context words)
WordSets = tuple[frozenset[str], frozenset[str]]    # (phrase words, phrase + rarest context words)


def phrase_tokens(text: str) -> frozenset[str]:
    """Content words of a phrase, lower-cased and lightly stemmed, for comparing mentions."""
    return frozenset(
        _stem(token) for token in _TOKEN.findall(text.lower().replace("’", "'"))
        if token not in _NOISE and len(token) > 1 and not token.isdigit()
    )


def _stem(token: str) -> str:
    """Plural, -ed and -ing forms of a word meet ("reviews", "reviewed", "reviewing" -> "review")."""
    if token.endswith("ing") and len(token) >= 6:
        return token[:-3]
    if token.endswith("ed") and len(token) >= 5:
        return token[:-2]
    if token.endswith("s") and len(token) >= 4 and token[-2] not in "sui'":
        return token[:-1]
    return token


def group_recurring(
    findings_with_sources: Iterable[tuple[BlockerFinding, str]],
    min_count: int = 2,
    similarity: float = 0.45,
    max_samples: int = 3,
) -> list[BlockerGroup]:
    """Blockers mentioned at least `min_count` times, most mentioned first."""
    by_signature: dict[Signature, list[tuple[BlockerFinding, str]]] = defaultdict(list)
    for finding, text in findings_with_sources:
        if finding.is_blocker:
            by_signature[_signature(finding.phrase, text)].append((finding, text))
    clusters = _cluster(by_signature, similarity)
    groups = [_group(members, max_samples) for members in clusters if len(members) >= min_count]
    return sorted(groups, key=lambda g: (-g.count, g.phrase))


def _signature(phrase: str, text: str) -> Signature:
    context = phrase_tokens(_URL.sub(" ", text[:CONTEXT_CHARS]))
    return phrase_tokens(phrase), context


def _word_sets(by_signature) -> dict[Signature, WordSets]:
    """Each signature as its phrase words, and its phrase words plus the text's rarest words."""
    document_frequency = Counter(t for phrase, context in by_signature for t in phrase | context)
    sets = {}
    for phrase, context in by_signature:
        rare = sorted(context - phrase, key=lambda t: (document_frequency[t], t))[:CONTEXT_WORDS]
        sets[(phrase, context)] = (phrase, phrase | frozenset(rare))
    return sets


def _cosine(left: frozenset[str], right: frozenset[str]) -> float:
    shared = len(left & right)
    return shared / math.sqrt(len(left) * len(right)) if shared else 0.0


def _similarity(left: WordSets, right: WordSets) -> float:
    """Same specific phrase, or texts sharing their rarest words: either makes two mentions one blocker."""
    # A one-word phrase ("review") is too vague to decide on its own.
    by_phrase = _cosine(left[0], right[0]) if len(left[0]) > 1 and len(right[0]) > 1 else 0.0
    return max(by_phrase, _cosine(left[1], right[1]))


def _cluster(by_signature, similarity: float) -> list[list[tuple[BlockerFinding, str]]]:
    """Greedy clustering: frequent signatures found clusters, rarer ones join the closest."""
    word_sets = _word_sets(by_signature)
    representatives: list[WordSets] = []
    members: list[list[tuple[BlockerFinding, str]]] = []
    index: dict[str, set[int]] = defaultdict(set)
    for signature in sorted(by_signature, key=lambda s: (-len(by_signature[s]), sorted(s[0]), sorted(s[1]))):
        words = word_sets[signature]
        candidates = set().union(*(index[token] for token in words[1])) if words[1] else set()
        best, best_score = None, similarity
        for cluster in sorted(candidates):
            score = _similarity(words, representatives[cluster])
            if score >= best_score:
                best, best_score = cluster, score
        if best is None:
            best = len(representatives)
            representatives.append(words)
            members.append([])
            for token in words[1]:
                index[token].add(best)
        members[best].extend(by_signature[signature])
    return members


def _group(members: list[tuple[BlockerFinding, str]], max_samples: int) -> BlockerGroup:
    phrases = Counter(finding.phrase.lower() for finding, _ in members)
    kinds = Counter(finding.kind for finding, _ in members if finding.kind is not None)
    kind: BlockerKind | None = kinds.most_common(1)[0][0] if kinds else None
    return BlockerGroup(
        phrase=phrases.most_common(1)[0][0],
        kind=kind,
        count=len(members),
        source_ids=[finding.source_id for finding, _ in members],
        sample_texts=[text[:SAMPLE_CHARS] for _, text in members[:max_samples]],
    )
