"""Tracker connections, work links, mirrored work items, comments and OKR mirrors."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from okr_core.domain import LinkKind, StatusCategory, TrackerKind
from okr_core.membership import folded_ref
from okr_core.models.base import Base, utcnow
from okr_core.models.org import enum_column


class Connection(Base):
    """One Jira site or Linear workspace; secrets are stored encrypted (see config.secrets)."""

    __tablename__ = "connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracker: Mapped[TrackerKind] = enum_column(TrackerKind)
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(500))
    credentials_encrypted: Mapped[str] = mapped_column(Text, default="")
    webhook_secret_encrypted: Mapped[str] = mapped_column(Text, default="")
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    # The Jira Cloud site (cloud id) this connection reads; Forge calls are served only from an
    # installation on this site. Recorded when the connection is tested or on the first verified
    # Forge call from the connection's site; None until then (and for Linear / Data Center).
    cloud_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def _folded_ref_default(context) -> str:
    """match_ref of a row inserted without it (a Core insert naming only `ref`)."""
    return folded_ref(context.get_current_parameters().get("ref"))


class WorkLink(Base):
    __tablename__ = "work_links"
    # A page of items finds the links that may match it by their values (sync.ingest.batch_links).
    __table_args__ = (Index("ix_work_links_conn_match_ref", "connection_id", "match_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_result_id: Mapped[int] = mapped_column(
        ForeignKey("key_results.id", ondelete="CASCADE"), index=True)
    # Indexed by ix_work_links_conn_match_ref, whose first column it is. An index of its own
    # would be what the planner picks on a table it has no statistics for, reading every link
    # of the connection to find a batch's few.
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    kind: Mapped[LinkKind] = enum_column(LinkKind)
    ref: Mapped[str] = mapped_column(Text)
    match_ref: Mapped[str] = mapped_column(Text, default=_folded_ref_default)   # folded_ref(ref)
    resolved_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    connection: Mapped[Connection] = relationship()

    @validates("ref")
    def _keep_match_ref(self, _key: str, ref: str) -> str:
        self.match_ref = folded_ref(ref)
        return ref


class WorkItem(Base):
    __tablename__ = "work_items"
    __table_args__ = (UniqueConstraint("connection_id", "external_id"),
                      Index("ix_work_items_conn_key", "connection_id", "key"),
                      Index("ix_work_items_conn_parent", "connection_id", "parent_ref"))

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(Text, default="")
    status_category: Mapped[StatusCategory] = enum_column(StatusCategory)
    status_name: Mapped[str | None] = mapped_column(String(200))
    estimate: Mapped[float | None] = mapped_column(Float)
    parent_ref: Mapped[str | None] = mapped_column(String(128))
    labels: Mapped[list] = mapped_column(JSON, default=list)
    assignee: Mapped[str | None] = mapped_column(String(128))
    url: Mapped[str | None] = mapped_column(String(1000))
    tracker_updated_at: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(default=False)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LinkItem(Base):
    """Which stored work items a work link currently matches."""

    __tablename__ = "link_items"

    work_link_id: Mapped[int] = mapped_column(
        ForeignKey("work_links.id", ondelete="CASCADE"), primary_key=True)
    work_item_id: Mapped[int] = mapped_column(
        ForeignKey("work_items.id", ondelete="CASCADE"), primary_key=True, index=True)


class IssueAttachment(Base):
    """A Linear attachment okrsync wrote on an issue that counts toward a KR, with the title it has.

    Write-backs compare against these rows and write only attachments that are missing or whose
    title changed, instead of one call per linked issue every time progress moves.
    """

    __tablename__ = "issue_attachments"

    key_result_id: Mapped[int] = mapped_column(
        ForeignKey("key_results.id", ondelete="CASCADE"), primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True)
    issue_external_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    attachment_id: Mapped[str] = mapped_column(String(128))   # Linear's id, to delete it later
    title: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (UniqueConstraint("connection_id", "external_id"),
                      Index("ix_comments_conn_item", "connection_id", "item_external_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    item_external_id: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]
    deleted: Mapped[bool] = mapped_column(default=False)


class ItemRelation(Base):
    """`blocker` blocks `blocked` inside one connection."""

    __tablename__ = "item_relations"

    connection_id: Mapped[int] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True)
    blocker_external_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    blocked_external_id: Mapped[str] = mapped_column(String(128), primary_key=True)


class DiscussionBacklog(Base):
    """A linked item whose comments and blocking relations are still to be read.

    Written before any is read, removed with the batch that read it: items beyond a pass's
    call budget (`discussion_calls_per_pass`) wait here for the next pass instead of being lost.
    """

    __tablename__ = "discussion_backlog"

    connection_id: Mapped[int] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True)
    item_external_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class Mirror(Base):
    """The tracker object that mirrors an objective or key result."""

    __tablename__ = "mirrors"
    __table_args__ = (UniqueConstraint("connection_id", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    subject_kind: Mapped[str] = mapped_column(String(20))  # objective | key_result
    subject_id: Mapped[int]
    external_id: Mapped[str] = mapped_column(String(128))
    external_key: Mapped[str | None] = mapped_column(String(128))
    url: Mapped[str | None] = mapped_column(String(1000))
    synced_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Linear: the status last posted as a project / initiative update, and when (issue 13).
    posted_status: Mapped[str | None] = mapped_column(String(20))
    posted_at: Mapped[datetime | None]
