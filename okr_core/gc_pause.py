"""Pause Python's cyclic garbage collector around bulk work that allocates but makes no cycles.

Loading a large cycle and analysing it creates a few hundred thousand tuples, rows and facts that
all stay alive until the analysis ends. Each 700 allocations start a young collection, and as the
survivors pile up CPython runs full collections that walk every object in the process, over and
over: about a quarter of a fresh-process analysis of 1,000 KRs. Reference counting still frees
everything as usual while paused; only cycles wait for the next collection after the pause.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; restored afterwards (left off if it was off before)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
