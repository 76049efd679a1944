"""detect(): the trained miner's verdict on one text, with the cue rules' phrase naming what blocks."""
from __future__ import annotations

import re

from okr_core.blockers.detect import detect as detect_by_cues
from okr_core.blockers.features import text_features
from okr_core.blockers.learned import load_model, shipped_version
from okr_core.blockers.model import BlockerFinding
from okr_core.blockers.text import sentence_spans, shorten_urls, strip_markup
from okr_core.blockers.tokens import token_ids

PHRASE_WORDS = 8
_SPACE = re.compile(r"\s+")


def fallback_phrase(text: str, model=None) -> str:
    """When no cue names the blocker: the first words of the sentence the model finds most blocker-like
    (not simply the first one: "Good week. Waiting on the vendor's keys." is about the keys)."""
    cleaned = strip_markup(shorten_urls(text[:400]))
    sentences = [_SPACE.sub(" ", cleaned[slice(*span)]).strip()
                 for span in sentence_spans(cleaned) or [(0, len(cleaned))]]
    sentences = [sentence for sentence in sentences if sentence] or [""]
    if model is not None and len(sentences) > 1:
        sentences.sort(key=lambda sentence: -_sentence_score(model, sentence))
    return " ".join(sentences[0].split()[:PHRASE_WORDS]).rstrip(".,;:!?")


def _sentence_score(model, sentence: str) -> float:
    features = text_features(sentence, None, cues_run=True)     # words only: no cue named anything
    return model.blocker_probability(features, token_ids(sentence) if model.token_blocker is not None else None)


def miner_version() -> str:
    """The version of the shipped model: stored results of another version are mined again."""
    return shipped_version()


def detect(text: str | None, source_id: str | None = None) -> BlockerFinding | None:
    """A finding when the model sees a blocker or is unsure; None when the text reports none."""
    if not text or not text.strip():
        return None
    model = load_model()
    cue = detect_by_cues(text)
    features = text_features(text, cue, cues_run=True)
    # Tokens only when a score uses them: most texts are dismissed before their kind is asked.
    ids = token_ids(text) if model.token_blocker is not None else None
    probability = model.blocker_probability(features, ids)
    if cue is not None and cue.is_blocker and cue.confidence >= model.cue_override:
        probability = max(probability, cue.confidence)     # a plain statement the rules are sure of
    low, high = model.ambiguous_band
    if probability < low:
        return None
    if ids is None and model.token_kinds is not None:
        ids = token_ids(text)
    return BlockerFinding(
        is_blocker=probability >= model.threshold, kind=model.kind(features, ids),
        phrase=cue.phrase if cue is not None and cue.phrase else fallback_phrase(text, model),
        confidence=round(probability, 3), ambiguous=low <= probability < high, source_id=source_id)
