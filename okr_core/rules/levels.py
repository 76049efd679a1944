"""The OKR hierarchy (guide): company, then department, then team, then individual."""
from __future__ import annotations

from okr_core.domain import Level

LEVEL_ORDER = (Level.COMPANY, Level.DEPARTMENT, Level.TEAM, Level.INDIVIDUAL)


def may_align_to(level: Level | str, parent_level: Level | str) -> bool:
    """An objective supports one of a higher level only (a team OKR aligns to a company OKR)."""
    return LEVEL_ORDER.index(Level(parent_level)) < LEVEL_ORDER.index(Level(level))
