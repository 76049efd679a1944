"""detect(): does a text report a current blocker, of which kind, and what blocks."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from okr_core.blockers.context import RESOLVED, cue_modifier, last_resolution
from okr_core.blockers.cues import CUES, Cue
from okr_core.blockers.kinds import classify_kind
from okr_core.blockers.model import BlockerFinding
from okr_core.blockers.phrase import agent_and_phrase
from okr_core.blockers.text import mask_other_senses, sentence_spans, shorten_urls, strip_markup

# Long check-in notes are cut: blockers are stated early, and the budget is per cycle, not per text.
MAX_CHARS = 4000
BLOCKER_THRESHOLD = 0.5
AMBIGUOUS_BAND = (0.3, 0.65)
REPORT_FLOOR = 0.3
SUPPORT_FLOOR = 0.25
_NEEDS = tuple(sorted({need for cue in CUES for need in cue.needs}))
_CUES_BY_NEED = {need: frozenset(i for i, cue in enumerate(CUES) if need in cue.needs) for need in _NEEDS}


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
    lowered = text.lower()
    present = [need for need in _NEEDS if need in lowered]
    if not present:
        return None
    cues = [CUES[i] for i in sorted(frozenset().union(*(_CUES_BY_NEED[need] for need in present)))]
    clean = _clean(text, lowered)
    sentences = sentence_spans(clean)
    hits = _strongest_non_overlapping(_find_hits(clean, sentences, cues))
    if not hits:
        return None
    confidence = _noisy_or(hit.weight for hit in hits)
    if confidence < REPORT_FLOOR:
        return None
    return _finding(clean, sentences, hits, confidence, source_id)


def _clean(text: str, lowered: str) -> str:
    """Shortened links, no Markdown emphasis, other senses of "block" masked; each step only when needed."""
    if "http" in lowered:
        text = shorten_urls(text)
    if "`" in text or "*" in text or "_" in text or "~" in text or "](" in text:
        text = strip_markup(text)
    if "block" in lowered or "wait" in lowered:
        text = mask_other_senses(text)
    return text


def _find_hits(text: str, sentences: list[tuple[int, int]], cues: list[Cue]) -> list[_Hit]:
    starts = [start for start, _ in sentences]
    resolution = last_resolution(text, sentences)
    hits = []
    for cue in cues:
        for match in cue.pattern.finditer(text):
            span = sentences[max(0, bisect_right(starts, match.start()) - 1)]
            sentence = text[span[0]:span[1]]
            start, end = match.start() - span[0], min(match.end(), span[1]) - span[0]
            if start < 0:   # the match began in the gap between two sentences
                continue
            weight = cue.weight * cue_modifier(sentence, start, end, match.group(0))
            if weight > 0 and resolution >= match.start():
                weight *= RESOLVED
            if weight > 0:
                hits.append(_Hit(cue, span, start, end, weight))
    return hits


def _strongest_non_overlapping(hits: list[_Hit]) -> list[_Hit]:
    """Keep the strongest reading of each stretch of text, so one phrase is not counted twice."""
    kept: list[_Hit] = []
    taken: list[tuple[int, int]] = []
    for hit in sorted(hits, key=lambda h: -h.weight):
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


def _finding(
    text: str, sentences: list[tuple[int, int]], hits: list[_Hit], confidence: float, source_id: str | None
) -> BlockerFinding:
    best = hits[0]
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
