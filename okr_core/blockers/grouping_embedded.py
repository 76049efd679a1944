"""What a mention means, as a vector for grouping: the mean of its distilled token vectors (tokens.py),
centred on the mentions being grouped and scaled to unit length.

Centring removes what every blocker mention shares ("waiting", "blocked", "the"), so the cosine of two
mentions measures what they say beyond being blockers. Grouping (grouping_learned.py) blends this
cosine with the TF-IDF cosine of their words: words catch names ("Travis", "Play Store"), vectors
catch the same thing said in other words ("store review" / "listing approval").
"""
from __future__ import annotations

from okr_core.blockers.tokens import token_ids, token_vectors

GROUP_CHARS = 200          # the blocker is named early; the rest of a long comment is noise


def meaning_vectors(texts: list[str]):
    """(texts, dims) float32 numpy array: centred mean token vectors, unit length."""
    import numpy as np  # noqa: PLC0415 - only grouping needs numpy

    table = token_vectors()
    vectors = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
    for row, text in enumerate(texts):
        ids = token_ids(text, GROUP_CHARS)
        if ids:
            vectors[row] = table[ids].mean(axis=0)
    if len(texts) > 1:
        vectors -= vectors.mean(axis=0)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)
