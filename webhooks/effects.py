"""What one webhook delivery changes, as plain data for the worker to apply."""
from __future__ import annotations

from dataclasses import dataclass, field

from okr_core.domain import Comment, WorkItem


@dataclass
class DeliveryEffect:
    """The changes a delivery implies; the caller drops upserts older than its mirror."""

    upserts: list[WorkItem] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)
    comment_upserts: list[Comment] = field(default_factory=list)
    comment_deletions: list[str] = field(default_factory=list)
    # Items whose payload lacks what progress needs: re-read them through the connector.
    reread: list[str] = field(default_factory=list)
    # Linear project / initiative ids whose own record changed (their work links may resolve anew).
    project_refs: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when the delivery changes nothing."""
        return not any(
            (self.upserts, self.deletions, self.comment_upserts,
             self.comment_deletions, self.reread, self.project_refs)
        )
