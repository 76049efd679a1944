"""The one interface every tracker connector implements, and the values it trades in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, Sequence, runtime_checkable

from okr_core.domain import BlockingRelation, Comment, KRStatus, LinkKind, Page, StrEnum, TrackerKind


class MirrorKind(StrEnum):
    """What an okrsync mirror stands for (Jira epic / KR issue, Linear initiative / project)."""

    OBJECTIVE = "objective"
    KEY_RESULT = "kr"


@dataclass(frozen=True)
class ConnectionCheck:
    """Outcome of testing a connection: ok, who we are, and one message per problem found."""

    ok: bool
    account: str | None = None
    problems: tuple[str, ...] = ()
    missing_permissions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrackedScope:
    """What a connection tracks, to bound its searches: Jira projects / Linear teams, epics or
    parents, and tracker queries (JQL). Empty: the connection tracks nothing yet. `excluded`
    containers are left out of the whole search (a split pass reads them in parts of their own).
    `teams`: a part of a pass split by team (Linear, whose searches need no bound) reads only
    these teams' items."""

    containers: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    queries: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.containers or self.parents or self.queries or self.teams)


OUTSIDE = "*"   # the part of a split pass reading what lies outside the other parts


@dataclass(frozen=True)
class Discussions:
    """Comments of some items and the blocking relations touching them, read in batches."""

    comments: tuple[Comment, ...] = ()
    relations: tuple[BlockingRelation, ...] = ()


@dataclass(frozen=True)
class MirrorSpec:
    """What a mirror should say; `container` is the Jira project key or Linear team id."""

    kind: MirrorKind
    okrsync_id: str
    title: str
    description: str
    container: str
    parent_ref: str | None = None   # Jira epic key / Linear initiative id, for KR mirrors


@dataclass(frozen=True)
class Mirror:
    """A tracker object that mirrors an okrsync objective or key result."""

    kind: MirrorKind
    okrsync_id: str
    external_id: str
    key: str
    url: str | None = None


@runtime_checkable
class TrackerConnector(Protocol):
    """Everything sync needs from a tracker, in domain terms only."""

    kind: TrackerKind

    def test_connection(self) -> ConnectionCheck:
        """Check credentials and the permissions okrsync needs; never raises for auth problems."""

    def fetch_changed(self, since: datetime | None, page_cursor: str | None = None,
                      scope: TrackedScope | None = None) -> Page:
        """One page of WorkItems updated at or after `since` (all items when None), within
        `scope` when given (trackers that refuse unbounded searches need it)."""

    def split_scope(self, scope: TrackedScope) -> dict[str, TrackedScope]:
        """Disjoint parts, by name, that between them read what `fetch_changed` reads within
        `scope`, for a pass split across workers (Jira: by project, Linear: by team); fewer than
        two when it does not split."""

    def resolve_link(self, kind: LinkKind, ref: str, page_cursor: str | None = None) -> Page:
        """One page of the WorkItems a work link matches."""

    def get_items(self, external_ids: Sequence[str]) -> list:
        """The WorkItems with these ids (ids that no longer exist are left out)."""

    def list_comments(self, external_id: str, page_cursor: str | None = None) -> Page:
        """One page of an item's Comments, oldest first."""

    def list_blocking_relations(self, external_ids: Sequence[str]) -> list[BlockingRelation]:
        """Blocking relations that touch any of these items."""

    def read_discussions(self, external_ids: Sequence[str]) -> Discussions:
        """Comments and blocking relations of these items, one call per batch of items."""

    def find_mirror(self, kind: MirrorKind, okrsync_id: str) -> Mirror | None:
        """The existing mirror of this okrsync object, or None."""

    def create_mirror(self, spec: MirrorSpec) -> Mirror:
        """Create the mirror unless it exists already (idempotent), and return it."""

    def update_mirror(self, mirror: Mirror, spec: MirrorSpec) -> Mirror:
        """Bring an existing mirror's title and description up to date."""

    def close(self) -> None:
        """Release the HTTP session (a connector is meant for one job or thread at a time)."""


@runtime_checkable
class CommentWriter(Protocol):
    """Trackers where okrsync talks through comments and the KR issue's description (Jira)."""

    def add_comment(self, external_id: str, body: str) -> Comment:
        """Add a plain-text comment to an item."""

    def update_kr_description(self, key: str, text: str) -> None:
        """Replace a KR mirror issue's description."""

    def delete_comment(self, external_id: str, comment_id: str) -> None:
        """Delete a comment okrsync added (an undone check-in); gone already is fine."""


@runtime_checkable
class StatusPublisher(Protocol):
    """Trackers where okrsync posts attachments and status updates (Linear)."""

    def write_attachment(self, issue_id: str, url: str, title: str, subtitle: str = "") -> str:
        """Attach a link to an issue (same URL updates the same attachment); returns its id."""

    def remove_attachment(self, attachment_id: str) -> None:
        """Delete an attachment okrsync wrote; one already gone counts as removed."""

    def post_status_update(self, mirror: Mirror, status: KRStatus, body: str) -> str:
        """Post a project / initiative update with the health for `status`; returns its id."""

    def withdraw_status_update(self, update_id: str) -> None:
        """Take back a project update okrsync posted (an undone check-in); gone already is fine."""
