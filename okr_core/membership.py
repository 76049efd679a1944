"""Which work links a stored item matches, decided locally where the link kind allows it."""
from __future__ import annotations

import re

from okr_core.domain import LinkKind, WorkItem

# Linear ids are UUIDs; a label link given by id cannot be checked against label names.
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)

# Kinds whose membership only the tracker can answer: re-resolve the link instead.
TRACKER_EVALUATED = frozenset({LinkKind.JQL, LinkKind.FILTER, LinkKind.INITIATIVE, LinkKind.MIRROR})


def folded_ref(ref: str | None) -> str:
    """The form in which a link's ref and the item values it may match compare: stripped and
    casefolded. Equal folded forms are necessary for a local match, not sufficient (an issue
    link given by id matches the id exactly): the store looks candidates up by it
    (WorkLink.match_ref), `link_matches` decides."""
    return (ref or "").strip().casefold()


def link_matches(kind: LinkKind, ref: str, item: WorkItem) -> bool | None:
    """True or False when the stored item says whether it belongs; None when it cannot tell."""
    kind = LinkKind(kind)
    ref = (ref or "").strip()
    if kind in TRACKER_EVALUATED:
        return None
    if kind is LinkKind.ISSUE:
        return ref == item.external_id or ref.casefold() == item.key.casefold()
    if kind in (LinkKind.EPIC, LinkKind.PROJECT):
        return item.parent_ref is not None and ref.casefold() == item.parent_ref.casefold()
    return _label_matches(ref, item)


def _label_matches(ref: str, item: WorkItem) -> bool | None:
    # Work items keep label names; a name ref is decided here, an id ref by the tracker.
    if any(ref.casefold() == label.casefold() for label in item.labels):
        return True
    return None if _UUID.match(ref) else False
