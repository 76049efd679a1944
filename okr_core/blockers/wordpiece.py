"""BERT's uncased WordPiece tokenizer in plain Python: text -> token ids of the miner's vocabulary.

Follows the published BERT recipe (lower-case, strip accents, split at punctuation, then greedy
longest-match-first word pieces with "##" continuations), so ids agree with the MiniLM vocabulary the
miner's token vectors were distilled from. Words are cached: comments reuse a small vocabulary.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_WORD_CHARS = 100
_SPLIT = re.compile(r"[^\W_]+|[^\w\s]|_")   # BERT splits at "_" too


def _strip_accents(word: str) -> str:
    if word.isascii():
        return word
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if unicodedata.category(ch) != "Mn")


class WordPiece:
    """Greedy longest-match WordPiece over a fixed vocabulary (one token string per id)."""

    def __init__(self, vocabulary: list[str], unknown: str = "[UNK]"):
        self.ids = {token: index for index, token in enumerate(vocabulary)}
        self.unknown_id = self.ids[unknown]
        self.word_ids = lru_cache(maxsize=200_000)(self._word_ids)

    def _word_ids(self, word: str) -> tuple[int, ...]:
        if len(word) > MAX_WORD_CHARS:
            return (self.unknown_id,)
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.ids.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return (self.unknown_id,)
            pieces.append(found)
            start = end
        return tuple(pieces)

    def encode(self, text: str) -> list[int]:
        """Token ids of the text, without [CLS]/[SEP]."""
        ids: list[int] = []
        for word in _SPLIT.findall(_strip_accents(text.lower())):
            ids.extend(self.word_ids(word))
        return ids
