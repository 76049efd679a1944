"""What a work link would match, asked of the tracker before it is saved ("matches 37, 12 done")."""
from __future__ import annotations

from dataclasses import dataclass

from config.urlsafety import UnsafeURL
from connector.errors import (
    AuthenticationFailed, MalformedResponse, NotFound, PermissionDenied, RateLimited,
    RequestRejected, RetriesExhausted, TrackerError, TrackerUnavailable,
)
from okr_core.domain import LinkKind, StatusCategory
from okr_core.models import Connection
from sync.connections.connectors import connector_for

PREVIEW_PAGES = 5  # enough to count a typical link; larger ones say "at least"
TRACKER_WORDS = (
    (AuthenticationFailed, "The tracker refused okrsync's credentials. An admin should check "
                           "this connection on the Admin page."),
    (PermissionDenied, "The connection's account may not read these issues."),
    (NotFound, "The tracker found nothing by that name. Check the key, id or name."),
    (RateLimited, "The tracker asks okrsync to slow down. Try again in a minute."),
    ((TrackerUnavailable, RetriesExhausted), "The tracker did not answer. Try again shortly."),
    (MalformedResponse, "The tracker answered with something okrsync could not read."),
)


@dataclass(frozen=True)
class LinkPreview:
    matches: int = 0
    done: int = 0
    more: bool = False          # stopped counting after PREVIEW_PAGES pages
    sample: tuple[str, ...] = ()
    error: str | None = None


def tracker_error_words(exc: Exception) -> str:
    """A connector failure as a sentence for the person who typed the link."""
    if isinstance(exc, RequestRejected):
        return f"The tracker did not accept this: {str(exc)[:300]}"
    if isinstance(exc, UnsafeURL):
        return "This connection's address is not allowed for outbound calls."
    for kinds, words in TRACKER_WORDS:
        if isinstance(exc, kinds):
            return words
    return "The tracker could not answer this request."


def preview_link(connection: Connection, kind: LinkKind, ref: str) -> LinkPreview:
    """Count the live items a link matches and how many are done, from a few pages at most."""
    try:
        connector = connector_for(connection)
    except UnsafeURL as exc:
        return LinkPreview(error=tracker_error_words(exc))
    except ValueError:  # the registry's word for stored credentials of the wrong shape
        return LinkPreview(error="This connection's credentials are incomplete. An admin should "
                                 "complete them on the Admin page.")
    items, cursor, pages = [], None, 0
    try:
        while pages < PREVIEW_PAGES:
            page = connector.resolve_link(kind, ref, cursor)
            items.extend(i for i in page.items if not i.deleted)
            cursor, pages = page.next_cursor, pages + 1
            if cursor is None:
                break
    except (TrackerError, UnsafeURL) as exc:
        return LinkPreview(error=tracker_error_words(exc))
    finally:
        connector.close()
    done = sum(1 for i in items if i.status_category == StatusCategory.DONE)
    return LinkPreview(len(items), done, cursor is not None, tuple(i.key for i in items[:5]))


def known_error_words(stored: str | None) -> str | None:
    """A stored failure in words: a tracker failure okrsync knows ("NotFound: ...", the
    exception's class then its message) as a sentence, a sentence the sync wrote itself (an
    epic gone from the tracker) as it is; None for any other exception class."""
    name, _, detail = (stored or "").partition(": ")
    for kinds, words in TRACKER_WORDS:
        classes = kinds if isinstance(kinds, tuple) else (kinds,)
        if any(cls.__name__ == name for cls in classes):
            return words
    if name == RequestRejected.__name__:
        return f"The tracker did not accept this: {detail[:300]}"
    if name == UnsafeURL.__name__:
        return "This connection's address is not allowed for outbound calls."
    return stored if stored and not name.isidentifier() else None


def stored_error_words(last_error: str | None) -> str:
    """A link's recorded failure in words."""
    return known_error_words(last_error) or "The tracker could not resolve this link."
