"""Plain domain types shared by every layer: enums and the tracker-neutral work item."""
from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass, field
from datetime import datetime


class StrEnum(str, enum.Enum):
    def __str__(self) -> str:
        return self.value


class TeamKind(StrEnum):
    COMPANY = "company"
    DEPARTMENT = "department"
    TEAM = "team"


class Role(StrEnum):
    ADMIN = "admin"
    LEAD = "lead"
    MEMBER = "member"


class CycleStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"
    ARCHIVED = "archived"


class Level(StrEnum):
    COMPANY = "company"
    DEPARTMENT = "department"
    TEAM = "team"
    INDIVIDUAL = "individual"


class Visibility(StrEnum):
    PUBLIC = "public"
    TEAM = "team"
    PRIVATE = "private"


class Measure(StrEnum):
    MANUAL = "manual"
    WORK_DONE_RATIO = "work_done_ratio"
    POINTS_DONE_RATIO = "points_done_ratio"
    DONE_COUNT = "done_count"
    ITEM_COUNT = "item_count"


class KRStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_STARTED = "not_started"  # no value yet: not judged, left out of health and counts


# What an owner may report in a check-in, and what health and status counts judge.
JUDGED_STATUSES = (KRStatus.ON_TRACK, KRStatus.AT_RISK, KRStatus.OFF_TRACK)


class StatusCategory(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELED = "canceled"


class TrackerKind(StrEnum):
    JIRA = "jira"
    LINEAR = "linear"


class LinkKind(StrEnum):
    ISSUE = "issue"          # Jira and Linear: one issue (key or id)
    EPIC = "epic"            # Jira: an epic's children
    JQL = "jql"              # Jira: a JQL query
    MIRROR = "mirror"        # Jira: issues linked to the KR's mirror issue
    PROJECT = "project"      # Linear: a project's issues
    INITIATIVE = "initiative"  # Linear: the issues of an initiative's projects
    LABEL = "label"          # Linear: issues carrying a label
    FILTER = "filter"        # Linear: a custom issue filter (IssueFilter JSON)


LINK_KINDS_BY_TRACKER: dict[TrackerKind, frozenset[LinkKind]] = {
    TrackerKind.JIRA: frozenset({LinkKind.ISSUE, LinkKind.EPIC, LinkKind.JQL, LinkKind.MIRROR}),
    TrackerKind.LINEAR: frozenset(
        {LinkKind.ISSUE, LinkKind.PROJECT, LinkKind.INITIATIVE, LinkKind.LABEL, LinkKind.FILTER}
    ),
}


class CheckInSource(StrEnum):
    MANUAL = "manual"
    SYNC = "sync"
    DRAFTED = "drafted"   # an okrsync draft the owner approved (issue 18)


NUL = "\x00"
REPLACEMENT_CHARACTER = "\ufffd"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_text(text):
    """`text` as every store can keep it; anything that is not a string as it is.

    U+0000 is left out: PostgreSQL cannot store it in text (one such character in a tracker's title
    would fail the whole page that carries it). A lone half of a UTF-16 surrogate pair, which JSON
    can escape ("\\ud800") and Python's JSON parser lets through, becomes U+FFFD: no UTF-8 store
    can encode it, and the delivery or page holding it would fail every time it is retried.
    """
    if not isinstance(text, str):
        return text
    if NUL in text:
        text = text.replace(NUL, "")
    if not text.isascii() and _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, text)
    return text


def holds_nul(value) -> bool:
    """Whether a string, or a string inside a list or tuple, holds U+0000 (what people send is refused
    with an error instead: the sender learns, nothing is changed behind their back). Objects are left
    to their own schema: they are stored as JSON, where the character stays escaped."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, (list, tuple)):
        return any(holds_nul(item) for item in value)
    return False


def _make_storable(record, names: tuple[str, ...]) -> None:
    """Clean the named text fields of a frozen record in place (see storable_text)."""
    for name in names:
        value = getattr(record, name)
        cleaned = storable_text(value)
        if cleaned is not value:
            object.__setattr__(record, name, cleaned)


def points(value) -> float | None:
    """A tracker's estimate as story points: a finite number, else None (absent, text, a boolean,
    or the NaN and Infinity that Python's JSON parser accepts though JSON has no such numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


@dataclass(frozen=True)
class WorkItem:
    """One tracker issue as okrsync sees it, whatever tracker it lives in."""

    external_id: str
    key: str
    title: str
    status_category: StatusCategory
    updated_at: datetime
    estimate: float | None = None
    parent_ref: str | None = None      # Jira epic key / Linear project id
    labels: tuple[str, ...] = ()
    assignee: str | None = None        # Jira accountId / Linear user id
    url: str | None = None
    status_name: str | None = None
    deleted: bool = False

    def __post_init__(self) -> None:
        _make_storable(self, ("external_id", "key", "title", "parent_ref", "assignee", "url", "status_name"))
        labels = tuple(storable_text(label) for label in self.labels)
        if any(cleaned is not label for cleaned, label in zip(labels, self.labels)):
            object.__setattr__(self, "labels", labels)


@dataclass(frozen=True)
class Comment:
    """One tracker comment on a work item."""

    external_id: str
    item_external_id: str
    body: str
    author: str | None
    created_at: datetime
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        _make_storable(self, ("external_id", "item_external_id", "body", "author"))


@dataclass(frozen=True)
class BlockingRelation:
    """`blocker` blocks `blocked` (Jira "blocks" issue links, Linear blocking relations)."""

    blocker_external_id: str
    blocked_external_id: str

    def __post_init__(self) -> None:
        _make_storable(self, ("blocker_external_id", "blocked_external_id"))


@dataclass(frozen=True)
class Page:
    """One page of results and the opaque cursor to the next one (None when it was the last)."""

    items: list = field(default_factory=list)
    next_cursor: str | None = None
