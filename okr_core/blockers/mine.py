"""detect(): the trained miner's verdict on one text, with the cue rules' phrase naming what blocks."""
from __future__ import annotations

import re

from okr_core.blockers.detect import detect as detect_by_cues
from okr_core.blockers.features import text_features
from okr_core.blockers.learned import load_model
from okr_core.blockers.model import BlockerFinding
from okr_core.blockers.text import sentence_spans, shorten_urls, strip_markup

PHRASE_WORDS = 8
_SPACE = re.compile(r"\s+")


def fallback_phrase(text: str) -> str:
    """The first words of the first sentence, when no cue names the blocker."""
    cleaned = strip_markup(shorten_urls(text[:400]))
    spans = sentence_spans(cleaned) or [(0, len(cleaned))]
    sentence = _SPACE.sub(" ", cleaned[slice(*spans[0])]).strip()
    return " ".join(sentence.split()[:PHRASE_WORDS]).rstrip(".,;:!?")


def miner_version() -> str:
    """The version of the shipped model: stored results of another version are mined again."""
    return load_model().version


def detect(text: str | None, source_id: str | None = None) -> BlockerFinding | None:
    """A finding when the model sees a blocker or is unsure; None when the text reports none."""
    if not text or not text.strip():
        return None
    model = load_model()
    cue = detect_by_cues(text)
    features = text_features(text, cue, cues_run=True)
    probability = model.blocker_probability(features)
    if cue is not None and cue.is_blocker and cue.confidence >= model.cue_override:
        probability = max(probability, cue.confidence)     # a plain statement the rules are sure of
    low, high = model.ambiguous_band
    if probability < low:
        return None
    return BlockerFinding(
        is_blocker=probability >= model.threshold, kind=model.kind(features),
        phrase=cue.phrase if cue is not None and cue.phrase else fallback_phrase(text),
        confidence=round(probability, 3), ambiguous=low <= probability < high, source_id=source_id)
