"""Recurring blockers: mentions clustered by the words they share, weighted by how rare the words are.

Each mention becomes a TF-IDF vector of its content words and word pairs (words that only say
"blocked" or glue a sentence are left out, see grouping.phrase_tokens); a mention joins the cluster
whose centroid is closest by cosine when that is at least the trained similarity, otherwise it starts
one. A group is named by the word sequence most of its members share ("google play review").
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from okr_core.blockers.grouping import _NOISE, _stem, phrase_tokens
from okr_core.blockers.grouping_embedded import meaning_vectors
from okr_core.blockers.model import BlockerFinding, BlockerGroup, BlockerKind
from okr_core.blockers.text import shorten_urls

CONTEXT_CHARS = 200       # the blocker is named early; the rest of a long comment is noise
SAMPLE_CHARS = 280
NAME_WORDS = 4
_TOKEN = re.compile(r"[a-z][a-z0-9+'-]*[a-z0-9]|[a-z]")
_NAME = re.compile(r"(?<=[a-z0-9,;:] )[A-Z][A-Za-z0-9+-]*[A-Za-z0-9]|\b[a-z]+[A-Z][A-Za-z]*\b|\b[A-Z]{2,}[a-z]*\b")
SALIENT_BOOST = 3
# A recurring blocker heads a report, so it rests on sure calls: as sure as a cue-rule verdict the miner
# accepts on its own (the model's cue_override). The rest are still counted (mentions, by kind) and the
# unsure ones listed for review; a status note the miner finds only fairly blocker-like ("Next week we
# focus on the hardest part"), repeated, must not become a "recurring blocker".
SURE_CALL = 0.8


def content_words(text: str) -> list[str]:
    """Lower-case content words, in order (links shortened to their host or repo)."""
    lowered = shorten_urls(text[:CONTEXT_CHARS]).lower().replace("’", "'")
    return [w for w in _TOKEN.findall(lowered) if w not in _NOISE and len(w) > 2]


def salient_words(text: str) -> set[str]:
    """Words written with a capital or inside a name ("Travis", "GitHub", "npm's" in "Play Store")."""
    shortened = shorten_urls(text[:CONTEXT_CHARS]).replace("’", "'")
    return {m.group(0).lower() for m in _NAME.finditer(shortened)} - _NOISE


def _terms(text: str) -> Counter:
    stems = [_stem(word) for word in content_words(text)]
    terms = Counter(stems)
    terms.update(f"{a} {b}" for a, b in zip(stems, stems[1:]))
    for word in salient_words(text):
        terms[_stem(word)] += SALIENT_BOOST
    return terms


def _vectors(texts: list[str]) -> list[dict[str, float]]:
    term_counts = [_terms(text) for text in texts]
    document_frequency = Counter(term for terms in term_counts for term in terms)
    total = len(texts)
    vectors = []
    for terms in term_counts:
        vector = {t: (1 + math.log(c)) * (1 + math.log((1 + total) / (1 + document_frequency[t])))
                  for t, c in terms.items() if document_frequency[t] > 1}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors.append({t: v / norm for t, v in vector.items()})
    return vectors


def cluster(texts: list[str], similarity: float, meaning_weight: float = 0.0) -> list[int]:
    """A cluster number for each text (texts with nothing in common each get their own).

    A text's similarity to a cluster is (1 - meaning_weight) times the cosine of its TF-IDF vector
    with the cluster's centroid plus meaning_weight times that of its meaning vector
    (grouping_embedded.py); only clusters sharing a word are compared. Identical texts are
    vectorised and placed once, counted as often as they occur.
    """
    unique = list(dict.fromkeys(texts))
    counts = Counter(texts)
    vectors = _vectors(unique)
    meanings = _Meanings(unique, meaning_weight)
    centroids: list[dict[str, float]] = []
    squared_norms: list[float] = []
    index: dict[str, set[int]] = defaultdict(set)
    label_of: dict[str, int] = {}
    for row, (text, vector) in enumerate(zip(unique, vectors)):
        best, best_score, best_dot = -1, similarity, 0.0
        candidates = sorted(set().union(*(index[t] for t in vector))) if vector else []
        closeness = meanings.closeness(row, candidates)
        for candidate, close in zip(candidates, closeness):
            centroid = centroids[candidate]
            dot = sum(v * centroid.get(t, 0.0) for t, v in vector.items())
            score = (1 - meaning_weight) * dot / (math.sqrt(squared_norms[candidate]) or 1.0) + close
            if score >= best_score:
                best, best_score, best_dot = candidate, score, dot
        if best < 0:
            best = len(centroids)
            centroids.append({})
            squared_norms.append(0.0)
        weight = counts[text]
        # |c + w v|^2 = |c|^2 + 2 w c.v + w^2 |v|^2, with |v| = 1 (or 0 for an empty vector)
        squared_norms[best] += 2 * weight * best_dot + weight * weight * (1.0 if vector else 0.0)
        for term, value in vector.items():
            centroids[best][term] = centroids[best].get(term, 0.0) + weight * value
            index[term].add(best)
        meanings.join(row, best, weight)
        label_of[text] = best
    return [label_of[text] for text in texts]


class _Meanings:
    """The meaning part of the similarity: each cluster's summed meaning vector, compared in numpy."""

    def __init__(self, texts: list[str], weight: float):
        self.weight = weight
        if weight <= 0:
            return
        import numpy as np  # noqa: PLC0415 - only grouping by meaning needs numpy

        self.np = np
        self.vectors = meaning_vectors(texts)
        self.sums = np.zeros_like(self.vectors)     # at most one cluster per text

    def closeness(self, row: int, clusters: list[int]) -> list[float]:
        if self.weight <= 0 or not clusters:
            return [0.0] * len(clusters)
        sums = self.sums[clusters]
        norms = self.np.maximum(self.np.linalg.norm(sums, axis=1), 1e-9)
        return (self.weight * (sums @ self.vectors[row]) / norms).tolist()

    def join(self, row: int, cluster: int, count: int) -> None:
        if self.weight > 0:
            self.sums[cluster] += count * self.vectors[row]


def group_name(texts: list[str]) -> str:
    """The longest word sequence (up to NAME_WORDS) shared by the most members, as they write it.

    Ties go to the sequence written later in the texts (English puts the head noun last: "Docker Hub
    rate limit" is about the rate limit), then alphabetically, so the name never depends on set order.
    """
    counts: Counter = Counter()
    lateness: dict[str, float] = defaultdict(float)
    for text, times in Counter(texts).items():     # a text repeated is read once, counted each time
        words = content_words(text)
        seen: dict[str, int] = {}
        for n in range(1, NAME_WORDS + 1):
            for i in range(len(words) - n + 1):
                seen[" ".join(words[i:i + n])] = i + n
        for sequence, end in seen.items():
            counts[sequence] += times
            lateness[sequence] += times * end / len(words)
    if not counts:
        return ""
    top = max(counts.values())
    floor = max(2, math.ceil(top * 0.6)) if len(texts) > 1 else 1
    shared = [phrase for phrase, count in counts.items() if count >= floor] or [counts.most_common(1)[0][0]]
    return max(shared, key=lambda phrase: (len(phrase.split()), counts[phrase], -len(phrase),
                                           lateness[phrase], phrase))


def _shared_name(phrases: list[str]) -> str:
    """The longest word sequence at least two of the phrases share, or ""."""
    name = group_name(phrases)
    return name if sum(times for phrase, times in Counter(phrases).items() if name in phrase.lower()) >= 2 else ""


def _unit_texts(members: list[tuple[BlockerFinding, str]]) -> list[str]:
    """What each mention is clustered as: its phrase, then its text (the phrase naming what blocks leads,
    so a shared opener such as "Good week." does not make a group). Mentions whose phrases name the
    same thing in two or more content words ("waiting on design specs", "blocked by design spec") are
    one blocker: they share the first such mention's text and are placed once, counted each time."""
    first: dict[frozenset[str], str] = {}
    words_of: dict[str, frozenset[str]] = {}
    units = []
    for finding, text in members:
        words = words_of.get(finding.phrase)
        if words is None:
            words = words_of[finding.phrase] = phrase_tokens(finding.phrase)
        unit = f"{finding.phrase}. {text}"
        units.append(first.setdefault(words, unit) if len(words) >= 2 else unit)
    return units


def group_recurring(
    findings_with_sources: Iterable[tuple[BlockerFinding, str]], min_count: int = 2,
    similarity: float | None = None, max_samples: int = 3, min_confidence: float = 0.0,
) -> list[BlockerGroup]:
    """Blockers mentioned at least `min_count` times, most mentioned first, from findings at least
    `min_confidence` sure (SURE_CALL for what people read as "recurring blockers")."""
    from okr_core.blockers.learned import shipped_grouping  # noqa: PLC0415 - the model file is read lazily

    members = [(f, t) for f, t in findings_with_sources if f.is_blocker and f.confidence >= min_confidence]
    trained_similarity, meaning_weight = shipped_grouping()
    labels = cluster(_unit_texts(members), similarity or trained_similarity, meaning_weight)
    clusters: dict[int, list[tuple[BlockerFinding, str]]] = defaultdict(list)
    for label, member in zip(labels, members):
        clusters[label].append(member)
    groups = [_group(items, max_samples) for items in clusters.values() if len(items) >= min_count]
    return sorted(groups, key=lambda g: (-g.count, g.phrase))


def _group(members: list[tuple[BlockerFinding, str]], max_samples: int) -> BlockerGroup:
    kinds = Counter(finding.kind for finding, _ in members if finding.kind is not None)
    kind: BlockerKind | None = kinds.most_common(1)[0][0] if kinds else None
    texts = [text for _, text in members]
    phrases = Counter(finding.phrase.lower() for finding, _ in members if finding.phrase)
    common = phrases.most_common(1)[0] if phrases else ("", 0)
    if common[1] >= max(2, len(members) / 2) or len(members) == 1:
        phrase = common[0]      # most members name it the same way: "waiting on design specs"
    else:   # the words their phrases share, else those their texts share
        phrase = _shared_name([finding.phrase for finding, _ in members]) or group_name(texts)
    return BlockerGroup(phrase=phrase or members[0][0].phrase, kind=kind, count=len(members),
                        source_ids=[finding.source_id for finding, _ in members],
                        sample_texts=[text[:SAMPLE_CHARS] for text in texts[:max_samples]])
