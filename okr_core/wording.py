"""Counts said the way people say them: "1 key result", "3 key results", "1 week remaining"."""
from __future__ import annotations

_IRREGULAR = {"person": "people"}


def counted(count: int | float, singular: str, plural: str | None = None) -> str:
    """ "1 key result", "0 key results", "1,204 comments": the count, then the word that agrees with it."""
    word = singular if count == 1 else (plural or _IRREGULAR.get(singular) or f"{singular}s")
    number = f"{count:,}" if isinstance(count, int) else f"{count:g}"
    return f"{number} {word}"


def agrees(count: int | float, singular_verb: str, plural_verb: str) -> str:
    """The verb that agrees with a count: agrees(1, "is", "are") is "is"."""
    return singular_verb if count == 1 else plural_verb
