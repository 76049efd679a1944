"""Plain result types of the blocker miner."""
from __future__ import annotations

from dataclasses import dataclass, field

from okr_core.domain import StrEnum


class BlockerKind(StrEnum):
    DEPENDENCY = "dependency"   # another issue, team, PR or release
    PERSON = "person"           # a review, answer or approval from someone
    EXTERNAL = "external"       # vendor, upstream project, store review, customer
    RESOURCE = "resource"       # capacity, access, hardware, budget
    TECHNICAL = "technical"     # broken tooling, CI, environment, tech debt


@dataclass(frozen=True)
class BlockerFinding:
    """What the miner concluded about one text."""

    is_blocker: bool
    kind: BlockerKind | None
    phrase: str
    confidence: float
    ambiguous: bool = False
    source_id: str | None = None


@dataclass
class BlockerGroup:
    """One recurring blocker and the sources that mention it."""

    phrase: str
    kind: BlockerKind | None
    count: int
    source_ids: list[str | None] = field(default_factory=list)
    sample_texts: list[str] = field(default_factory=list)
