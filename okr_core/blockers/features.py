"""What the learned miner sees of a text: its words and word pairs, what the cue rules concluded, and
which kinds its words name by the labelling conventions (conventions.py).

Features are sparse: a dict of name -> value, mostly 1.0 for "this word pair occurs". The cue rules
(detect_by_cues) contribute their confidence, verdict and kind, so negation, resolution and the other
senses of "block" they already handle reach the classifier as evidence instead of as a final word.
"""
from __future__ import annotations

import re

from okr_core.blockers.conventions import convention_features
from okr_core.blockers.detect import detect as detect_by_cues
from okr_core.blockers.kinds import classify_kind
from okr_core.blockers.model import BlockerFinding
from okr_core.blockers.text import fold, shorten_urls, strip_markup

MAX_CHARS = 4000
CONVENTION_CHARS = 600     # kind words past the opening name other things
_WORD = re.compile(r"[a-z][a-z0-9']*|#\d+|\d+")
_NEGATORS = frozenset(("not", "no", "never", "nothing", "don't", "doesn't", "isn't", "aren't", "wasn't",
                       "won't", "can't", "cannot", "shouldn't", "didn't", "haven't", "hasn't", "longer"))


def cleaned(text: str) -> str:
    """The text with links shortened and Markdown emphasis dropped, folded to lower case."""
    return fold(strip_markup(shorten_urls(text[:MAX_CHARS])))


def words(text: str, is_cleaned: bool = False) -> list[str]:
    """Lower-case words of a text with links shortened and Markdown emphasis dropped; numbers as "0"."""
    return ["#0" if w[0] == "#" else "0" if w[0].isdigit() else w
            for w in _WORD.findall(text if is_cleaned else cleaned(text))]


def gram_features(tokens: list[str]) -> set[str]:
    """Words, adjacent pairs, and a "not_" mark on the two words after a negator."""
    grams = set(tokens)
    grams.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))
    for at, token in enumerate(tokens):
        if token in _NEGATORS:
            grams.update(f"not_{after}" for after in tokens[at + 1:at + 3])
    return grams


def cue_features(text: str, finding: BlockerFinding | None) -> dict[str, float]:
    """The cue rules' view (their finding on the text): confidence, verdict, kind, and the vocabulary's kind."""
    found: dict[str, float] = {}
    if finding is not None:
        found["cue:confidence"] = finding.confidence
        found["cue:blocker"] = 1.0 if finding.is_blocker else 0.0
        if finding.kind is not None:
            found[f"cue:kind={finding.kind.value}"] = 1.0
    else:
        found["cue:none"] = 1.0
    short = text[:600]
    found[f"vocab:kind={classify_kind(short, short, short, []).value}"] = 1.0
    return found


def text_features(text: str, finding: BlockerFinding | None = None, cues_run: bool = False) -> dict[str, float]:
    """Every feature of a text, named; pass the cue rules' finding when it is already known."""
    clean = cleaned(text)
    grams = gram_features(words(clean, is_cleaned=True))
    features = dict.fromkeys(grams, 1.0)
    features.update(convention_features(grams, clean[:CONVENTION_CHARS]))
    features.update(cue_features(text, finding if cues_run else detect_by_cues(text)))
    return features
