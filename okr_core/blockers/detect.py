"""detect(): does a text report a current blocker, of which kind, and what blocks."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace

from okr_core.blockers.context import RESOLVED, cue_modifier, last_resolution
from okr_core.blockers.cues import AFTER, BEFORE_WINDOW, CUES, Cue
from okr_core.blockers.kinds import classify_kind
from okr_core.blockers.model import BlockerFinding
from okr_core.blockers.phrase import agent_and_phrase
from okr_core.blockers.text import blank, fold, other_sense_spans, sentence_spans, shorten_urls, strip_markup

# Long check-in notes are cut: blockers are stated early, and the budget is per cycle, not per text.
MAX_CHARS = 4000
BLOCKER_THRESHOLD = 0.5
AMBIGUOUS_BAND = (0.3, 0.65)
REPORT_FLOOR = 0.3
SUPPORT_FLOOR = 0.25
NAMING_SHARE = 0.75
# The first four characters of every word (all of a shorter one), found in one C-level scan.
_WORD_START = re.compile(r"(?<![a-z0-9'])[a-z][a-z']{1,3}")
_CUES_BY_KEY: dict[str, frozenset[int]] = {}
for _index, _cue in enumerate(CUES):
    for _need in _cue.needs:
        _CUES_BY_KEY[_need[:4]] = _CUES_BY_KEY.get(_need[:4], frozenset()) | {_index}
_KEYS = frozenset(_CUES_BY_KEY)
# Strongest cues first, so a weaker reading of the same words can be skipped without weighing it.
_RANK = {index: rank for rank, index in enumerate(sorted(range(len(CUES)), key=lambda i: -CUES[i].weight))}


@dataclass(frozen=True)
class _Hit:
    cue: Cue
    sentence: tuple[int, int]
    start: int      # offsets inside the sentence
    end: int
    weight: float


def detect(text: str | None, source_id: str | None = None) -> BlockerFinding | None:
    """A finding when the text carries a blocker signal (possibly ambiguous), None when it has none."""
    if not text:
        return None
    text = text[:MAX_CHARS]
    lowered = fold(text)
    cues = _cues_for(lowered)
    if not cues:
        return None
    clean, folded = _clean(text, lowered)
    sentences = _Sentences(clean)
    all_hits = sorted(_find_hits(folded, sentences, cues), key=lambda h: -h.weight)
    hits = _strongest_non_overlapping(all_hits)
    if not hits:
        return None
    confidence = _noisy_or(hit.weight for hit in hits)
    if confidence < REPORT_FLOOR:
        return None
    return _finding(clean, sentences.spans, hits, _naming_hit(all_hits), confidence, source_id)


def _cues_for(folded: str) -> list[Cue]:
    """The cues worth running: those with a need that starts one of the text's words (or is a short word)."""
    keys = _KEYS.intersection(_WORD_START.findall(folded))
    if not keys:
        return []
    return [CUES[i] for i in sorted(frozenset().union(*(_CUES_BY_KEY[key] for key in keys)), key=_RANK.get)]


def _clean(text: str, folded: str) -> tuple[str, str]:
    """(text, folded text) with short links, no Markdown emphasis and other senses of "block" blanked."""
    original = text
    if "http" in folded:
        text = shorten_urls(text)
    if "`" in text or "*" in text or "_" in text or "~" in text or "](" in text:
        text = strip_markup(text)
    if text is not original:
        folded = fold(text)
    spans = other_sense_spans(folded)
    if spans:
        text, folded = blank(text, spans), blank(folded, spans)
    return text, folded


class _Sentences:
    """Sentence spans of a text, split only once a cue actually occurs in it."""

    def __init__(self, text: str):
        self._text = text
        self._spans: list[tuple[int, int]] | None = None
        self._starts: list[int] = []

    @property
    def spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            self._spans = sentence_spans(self._text) or [(0, len(self._text))]
            self._starts = [start for start, _ in self._spans]
        return self._spans

    def around(self, offset: int) -> tuple[int, int]:
        spans = self.spans
        return spans[max(0, bisect_right(self._starts, offset) - 1)]


def _find_hits(folded: str, sentences: _Sentences, cues: list[Cue]) -> list[_Hit]:
    """Every cue occurrence with its weight after grammar and resolution are taken into account."""
    hits: list[_Hit] = []
    weighed: list[tuple[int, int]] = []
    for cue in cues:
        for match in cue.pattern.finditer(folded):
            begin, end = _cue_start(folded, cue, match.start()), match.end()
            if begin < 0:
                continue
            # A weaker reading of words already weighed adds nothing; "due to X" may still name X.
            if cue.side != AFTER and any(begin < w_end and w_start < end for w_start, w_end in weighed):
                continue
            weighed.append((begin, end))
            hit = _weigh(cue, folded, sentences, begin, end)
            if hit is not None:
                hits.append(hit)
    return _damp_resolved(hits, folded, sentences) if hits else hits


def _weigh(cue: Cue, folded: str, sentences: _Sentences, begin: int, end: int) -> _Hit | None:
    """The cue at folded[begin:end] as a hit in its sentence, or None when its words say it is no blocker."""
    span = sentences.around(begin)
    start, end = begin - span[0], min(end, span[1]) - span[0]
    if start < 0:   # the match began in the gap between two sentences
        return None
    weight = cue.weight * cue_modifier(folded[span[0]:span[1]], start, end)
    return _Hit(cue, span, start, end, weight) if weight > 0 else None


def _damp_resolved(hits: list[_Hit], folded: str, sentences: _Sentences) -> list[_Hit]:
    """Hits followed by a statement that the problem went away ("now fixed") count for little."""
    first = min(hit.sentence[0] for hit in hits)
    resolution = last_resolution(folded, [span for span in sentences.spans if span[0] >= first])
    return [replace(hit, weight=hit.weight * RESOLVED) if hit.sentence[0] + hit.start <= resolution else hit
            for hit in hits]


def _cue_start(folded: str, cue: Cue, at: int) -> int:
    """Where the cue really starts (its `before` words included), or -1 when it is not a cue here."""
    if at and _is_word_char(folded[at - 1]):
        return -1       # inside a longer word: "unblocked", "required"
    if cue.before is None:
        return at
    found = cue.before.search(folded, max(0, at - BEFORE_WINDOW), at)
    if found is None:
        return -1
    begin = found.start()
    while begin and _is_word_char(folded[begin - 1]):
        begin -= 1      # "won't" when the pattern matched its "n't"
    return begin


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _strongest_non_overlapping(hits: list[_Hit]) -> list[_Hit]:
    """Keep the strongest reading of each stretch of text (hits come strongest first), counted once."""
    kept: list[_Hit] = []
    taken: list[tuple[int, int]] = []
    for hit in hits:
        start, end = hit.sentence[0] + hit.start, hit.sentence[0] + hit.end
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        kept.append(hit)
        taken.append((start, end))
    return kept


def _noisy_or(weights) -> float:
    """Strongest cue in full, further cues at half strength; damped cues (< 0.25) add nothing."""
    miss = 1.0
    for rank, weight in enumerate(sorted(weights, reverse=True)):
        if rank and weight < SUPPORT_FLOOR:
            break
        miss *= 1.0 - min(weight if rank == 0 else weight / 2, 0.99)
    return round(1.0 - miss, 3)


def _neighbour_sentences(text: str, spans: list[tuple[int, int]], span: tuple[int, int]) -> tuple[str, str]:
    """The sentences just before and just after `span`, for phrases that refer across them."""
    at = spans.index(span)
    previous = text[slice(*spans[at - 1])] if at > 0 else ""
    following = text[slice(*spans[at + 1])] if at + 1 < len(spans) else ""
    return previous, following


def _naming_hit(hits: list[_Hit]) -> _Hit:
    """The hit whose words name the blocker: a strong "blocked by X" / "due to X" beats a bare symptom."""
    for hit in hits:
        if hit.cue.side == AFTER and hit.weight >= NAMING_SHARE * hits[0].weight:
            return hit
    return hits[0]


def _finding(
    text: str, sentences: list[tuple[int, int]], hits: list[_Hit], best: _Hit, confidence: float,
    source_id: str | None,
) -> BlockerFinding:
    sentence = text[best.sentence[0]:best.sentence[1]]
    previous, following = _neighbour_sentences(text, sentences, best.sentence)
    agent, phrase = agent_and_phrase(sentence, best.start, best.end, best.cue.side, previous, following)
    hints = [hit.cue.hint for hit in hits if hit.cue.hint is not None]
    kind = classify_kind(agent, sentence, text, hints)
    low, high = AMBIGUOUS_BAND
    return BlockerFinding(
        is_blocker=confidence >= BLOCKER_THRESHOLD,
        kind=kind,
        phrase=phrase,
        confidence=confidence,
        ambiguous=low <= confidence < high,
        source_id=source_id,
    )
