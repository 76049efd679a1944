"""The forecast's random draws: what `random.Random(seed).random()` gives, drawn by numpy in bulk.

CPython's Random and numpy's legacy RandomState are both the Mersenne Twister MT19937:
- seeding with a string: Random (version 2, the default) turns it into the integer
  int.from_bytes(text + sha512(text)) and feeds its 32-bit words, least significant first, to
  init_by_array; RandomState.seed(array of uint32) calls the same init_by_array;
- random() and random_sample() both make a double from two outputs, (a >> 5) * 2**26 + (b >> 6),
  over 2**53.
So the same seed gives the same values, thousands at a time instead of one call each. Python
guarantees that random() keeps this sequence for a given seed across versions; the forecast tests
compare both generators.
"""
from __future__ import annotations

import hashlib

import numpy as np


def seed_words(seed: str) -> np.ndarray:
    """The init_by_array key `random.Random(seed)` uses for a string seed."""
    raw = seed.encode("utf-8")
    number = int.from_bytes(raw + hashlib.sha512(raw).digest(), "big")
    return np.frombuffer(number.to_bytes(max(1, (number.bit_length() + 31) // 32) * 4, "little"),
                         dtype="<u4")


class TrialDraws:
    """One reusable generator for a forecast (not shared between threads)."""

    def __init__(self) -> None:
        self._twister = np.random.RandomState()

    def uniforms(self, seed: str, count: int) -> np.ndarray:
        """The first `count` values of random.Random(seed).random()."""
        self._twister.seed(seed_words(seed))
        return self._twister.random_sample(count)
