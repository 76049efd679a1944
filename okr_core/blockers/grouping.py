"""group_recurring(): the same blocker mentioned in several comments or check-ins, counted once each."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from okr_core.blockers.model import BlockerFinding, BlockerGroup, BlockerKind

SAMPLE_CHARS = 280
_TOKEN = re.compile(r"[a-z0-9][a-z0-9.#/+]*[a-z0-9#]|[a-z0-9]")
# Words that say "blocked" or glue a phrase together but do not name what blocks.
_NOISE = frozenset(
    "a an the this that these those it its is are was were be been being to of on in at by for from with and or "
    "but so as we i you they he she our my your their us me them still now yet currently just also again "
    "waiting wait awaiting blocked blocking blocker blocks block pending stuck held hold up on off until till "
    "because due need needs needed require requires first depends depending dependent dependency once "
    "can't cannot unable able no not any some more get got getting have has had do does did will would "
    "preventing prevents keep keeping from hit reached out new".split()
)


def phrase_tokens(phrase: str) -> frozenset[str]:
    """Content words of a phrase, lower-cased and lightly stemmed, for comparing mentions."""
    tokens = set()
    for token in _TOKEN.findall(phrase.lower()):
        if token in _NOISE:
            continue
        tokens.add(_stem(token))
    return frozenset(tokens)


def _stem(token: str) -> str:
    # Plural and -ed/-ing forms of the same noun or verb should meet ("reviews", "reviewed").
    for suffix in ("ing", "ed", "es", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3 and not token.endswith("ss"):
            return token[: -len(suffix)]
    return token


def _jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    return len(left & right) / len(left | right)


def group_recurring(
    findings_with_sources: Iterable[tuple[BlockerFinding, str]],
    min_count: int = 2,
    similarity: float = 0.5,
    max_samples: int = 3,
) -> list[BlockerGroup]:
    """Blockers mentioned at least `min_count` times, most mentioned first."""
    by_key: dict[frozenset[str], list[tuple[BlockerFinding, str]]] = defaultdict(list)
    for finding, text in findings_with_sources:
        key = phrase_tokens(finding.phrase) if finding.is_blocker else frozenset()
        if key:
            by_key[key].append((finding, text))
    clusters = _cluster_keys(by_key, similarity)
    groups = [_group(members, max_samples) for members in clusters]
    groups = [group for group in groups if group.count >= min_count]
    return sorted(groups, key=lambda g: (-g.count, g.phrase))


def _cluster_keys(by_key, similarity: float) -> list[list[tuple[BlockerFinding, str]]]:
    """Greedy clustering: frequent phrasings found clusters, rarer ones join the closest."""
    representatives: list[frozenset[str]] = []
    members: list[list[tuple[BlockerFinding, str]]] = []
    index: dict[str, set[int]] = defaultdict(set)
    for key in sorted(by_key, key=lambda k: (-len(by_key[k]), sorted(k))):
        candidates = set().union(*(index[token] for token in key))
        best, best_score = None, similarity
        for cluster in candidates:
            score = _jaccard(key, representatives[cluster])
            if score >= best_score:
                best, best_score = cluster, score
        if best is None:
            best = len(representatives)
            representatives.append(key)
            members.append([])
            for token in key:
                index[token].add(best)
        members[best].extend(by_key[key])
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
