"""SQLAlchemy models of the okrsync store."""
from sqlalchemy.orm import configure_mappers

from okr_core.models.base import Base, utcnow
from okr_core.models.mining import BlockerMining
from okr_core.models.drafts import CheckInDraft, CheckInPost
from okr_core.models.health import ConnectionHealth
from okr_core.models.okrs import CheckIn, Cycle, KeyResult, Objective, ProgressSnapshot
from okr_core.models.notifications import NotificationPreference, NotificationSend
from okr_core.models.ops import Analysis, AuditEntry, Delivery, SyncState
from okr_core.models.org import ApiToken, Team, User
from okr_core.models import user_sessions  # noqa: F401  (registers the attribute listeners)
from okr_core.models.work import (
    Comment, Connection, DiscussionBacklog, IssueAttachment, ItemRelation, LinkItem, Mirror, WorkItem, WorkLink,
)

# Configure the mappers now, at import, rather than on a process's first ORM query: RQ forks a work
# horse per job, and a horse inherits what its worker did at start-up but redoes what it did not.
configure_mappers()

__all__ = [
    "Analysis", "ApiToken", "AuditEntry", "Base", "BlockerMining", "CheckIn", "CheckInDraft", "CheckInPost", "Comment",
    "Connection", "ConnectionHealth", "Cycle",
    "Delivery", "DiscussionBacklog", "IssueAttachment", "ItemRelation", "KeyResult", "LinkItem", "Mirror", "NotificationPreference", "NotificationSend", "Objective",
    "ProgressSnapshot", "SyncState", "Team", "User", "WorkItem", "WorkLink", "utcnow",
]
