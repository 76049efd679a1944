"""Plain facts an analysis is computed from: no sessions, no ORM rows, just values."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class CycleInfo:
    """The cycle under analysis."""

    id: int
    name: str
    start_date: date
    end_date: date
    status: str


@dataclass(frozen=True)
class ObjectiveFact:
    """One objective the viewer may see."""

    id: int
    title: str
    level: str
    team_id: int | None
    owner_id: int | None
    parent_id: int | None
    progress: float | None
    final_score: float | None = None


@dataclass(frozen=True)
class KeyResultFact:
    """One key result of a visible objective."""

    id: int
    objective_id: int
    title: str
    owner_id: int | None
    progress: float | None
    status: str
    confidence: int | None
    weight: float = 1.0
    target_value: float | None = 1.0
    last_progress_change_at: datetime | None = None
    created_at: datetime | None = None
    final_score: float | None = None
    start_value: float = 0.0
    unit: str = ""
    measure: str = "manual"


@dataclass(frozen=True)
class CheckInFact:
    """One check-in on a key result."""

    id: int
    kr_id: int
    created_at: datetime
    status: str | None = None
    confidence: int | None = None
    note: str = ""
    blockers: str = ""
    wins: str = ""


@dataclass(frozen=True)
class SnapshotFact:
    """One point of a key result's progress series."""

    kr_id: int
    at: datetime
    progress: float | None


@dataclass(frozen=True)
class ItemFact:
    """One tracker work item and the key results whose links match it."""

    id: int
    connection_id: int
    external_id: str
    key: str
    status_category: str
    kr_ids: tuple[int, ...]


@dataclass(frozen=True)
class CommentFact:
    """One tracker comment on a linked work item."""

    id: int
    connection_id: int
    item_external_id: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class RelationFact:
    """`blocker` blocks `blocked`, both external ids inside one connection."""

    connection_id: int
    blocker_external_id: str
    blocked_external_id: str


@dataclass(frozen=True)
class PastCycleFact:
    """An earlier closed cycle and the final scores of its visible objectives."""

    id: int
    name: str
    end_date: date
    objective_scores: tuple[float, ...]


@dataclass(frozen=True)
class MinedText:
    """The blocker miner's stored result for one text: its digest, the miner version, the finding."""

    text_hash: str
    miner_version: str
    finding: Any


@dataclass
class CycleFacts:
    """Everything one analysis reads, already filtered to what its viewer may see."""

    cycle: CycleInfo
    now: datetime
    scope: str = "company"
    objectives: list[ObjectiveFact] = field(default_factory=list)
    key_results: list[KeyResultFact] = field(default_factory=list)
    check_ins: list[CheckInFact] = field(default_factory=list)
    snapshots: list[SnapshotFact] = field(default_factory=list)
    items: list[ItemFact] = field(default_factory=list)
    comments: list[CommentFact] = field(default_factory=list)
    relations: list[RelationFact] = field(default_factory=list)
    past_cycles: list[PastCycleFact] = field(default_factory=list)
    team_names: dict[int, str] = field(default_factory=dict)
    user_names: dict[int, str] = field(default_factory=dict)
    # Stored miner results by source key ("comment:7"), filled by mining_store.prepare_minings.
    mined: dict[str, MinedText] = field(default_factory=dict)
