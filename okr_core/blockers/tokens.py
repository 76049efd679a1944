"""A text as WordPiece tokens, and its embedding as the mean of the tokens' distilled vectors.

The table (data/token_vectors.npy, from bench/distill_tokens.py) holds one vector per token of the
all-MiniLM-L6-v2 vocabulary (data/vocab.txt): the model's embedding of that token on its own, reduced
by PCA. The miner's linear scores over the mean vector are folded into one number per token at training
time (learned.py), so classifying needs no numpy; grouping compares the mean vectors themselves.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from okr_core.blockers.text import shorten_urls, strip_markup
from okr_core.blockers.wordpiece import WordPiece

DATA = Path(__file__).parent / "data"
VECTORS_PATH = DATA / "token_vectors.npy"
VOCABULARY_PATH = DATA / "vocab.txt"
EMBED_CHARS = 600       # blockers are named early; the rest of a long comment dilutes the mean


@lru_cache(maxsize=1)
def tokenizer() -> WordPiece:
    return WordPiece(VOCABULARY_PATH.read_text(encoding="utf-8").splitlines())


def token_ids(text: str, chars: int = EMBED_CHARS) -> list[int]:
    """Token ids of the text's first `chars` characters, links shortened and Markdown emphasis dropped."""
    return tokenizer().encode(strip_markup(shorten_urls(text[:chars])))


@lru_cache(maxsize=1)
def token_vectors():
    """The distilled table as a float32 numpy array (numpy is imported only when vectors are needed)."""
    import numpy as np  # noqa: PLC0415

    return np.load(VECTORS_PATH).astype(np.float32)


def embed(id_lists: list[list[int]]):
    """(texts, dims) mean token vectors, unit length (a text without tokens gets zeros)."""
    import numpy as np  # noqa: PLC0415

    table = token_vectors()
    lengths = np.array([len(ids) for ids in id_lists])
    flat = np.fromiter((i for ids in id_lists for i in ids), dtype=np.int64, count=int(lengths.sum()))
    sums = np.zeros((len(id_lists), table.shape[1]), dtype=np.float32)
    rows = np.repeat(np.arange(len(id_lists)), lengths)
    np.add.at(sums, rows, table[flat])
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return sums / np.maximum(norms, 1e-9)
