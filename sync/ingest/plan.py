"""Plan what tracker items change in the store as plain data: what to store, what to flag deleted,
which memberships move, which KRs to recount (and, for a reconcile page, the cursor).

Every path plans here: reconcile pages (`plan_page`), search scopes and link resolution
(`plan_resolution`), webhook deliveries (`plan_delivery_items`). Pure: no database, no HTTP.
`sync/ingest/apply.py` `ingest` applies a plan in the caller's transaction.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Mapping, Sequence

from okr_core.domain import LinkKind, StatusCategory, WorkItem
from sync.ingest.items import is_older, newest_per_id
from okr_core.membership import link_matches

# JQL compares `updated` at minute precision in the account's time zone: re-read two minutes.
OVERLAP = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class LinkView:
    """The parts of a work link planning needs."""

    id: int
    key_result_id: int
    kind: LinkKind
    ref: str

    @property
    def scope(self) -> tuple[str, str]:
        """Links with the same kind and ref match the same items: resolve them once."""
        return (str(self.kind), self.ref.strip())


@dataclass(frozen=True, slots=True)
class StoredItem:
    """What the store holds for one external id: its row, tracker time and current links."""

    row_id: int
    updated_at: datetime
    link_ids: frozenset[int] = frozenset()


@dataclass
class PassState:
    """What a pass carries from page to page (the high-water mark of tracker updated-at)."""

    newest_first: bool
    high_water: datetime | None = None
    recheck_all: bool = False   # full pass: re-derive membership of unchanged items too


@dataclass
class PagePlan:
    """Everything one page changes; membership is keyed by external id (rows may be new)."""

    upserts: list[WorkItem] = field(default_factory=list)
    deletions: dict[str, datetime | None] = field(default_factory=dict)  # flag deleted (as of when)
    estimate_kept: set[str] = field(default_factory=set)   # payload could not say the estimate
    member_adds: set[tuple[int, str]] = field(default_factory=set)
    member_removes: set[tuple[int, str]] = field(default_factory=set)
    rescope: set[tuple[str, str]] = field(default_factory=set)
    key_result_ids: set[int] = field(default_factory=set)
    cursor: datetime | None = None          # store this cursor with the page, when not None
    seen_ids: set[str] = field(default_factory=set)
    duplicates: int = 0
    stale: int = 0
    unchanged: int = 0


def since_for(cursor: datetime | None) -> datetime | None:
    """Where an incremental pass starts reading: the cursor minus the overlap."""
    return None if cursor is None else cursor - OVERLAP


def only_tracker_decides(link: LinkView) -> bool:
    """Whether no stored item can say it belongs to this link (JQL, filter, a label by id...)."""
    return link_matches(LinkKind(link.kind), link.ref.strip(), _PROBE) is None


class LinkIndex:
    """Links indexed by what a stored item can match locally (parent, key, label): those a batch
    of items may need, loaded for it (sync.ingest.batch_links)."""

    def __init__(self, links: Sequence[LinkView]):
        self.by_id = {link.id: link for link in links}
        self.tracker_scopes: set[tuple[str, str]] = set()
        self._tracker_ids: set[int] = set()
        self._local: dict[tuple[str, str], list[LinkView]] = defaultdict(list)
        for link in links:
            kind, ref = LinkKind(link.kind), link.ref.strip()
            if only_tracker_decides(link):
                self.tracker_scopes.add(link.scope)
                self._tracker_ids.add(link.id)
            elif kind is LinkKind.ISSUE:
                self._local[("id", ref)].append(link)
                self._local[("key", ref.casefold())].append(link)
            elif kind in (LinkKind.EPIC, LinkKind.PROJECT):
                self._local[("parent", ref.casefold())].append(link)
            else:
                self._local[("label", ref.casefold())].append(link)

    def is_tracker_evaluated(self, link_id: int) -> bool:
        return link_id in self._tracker_ids

    def matching(self, item: WorkItem) -> set[int]:
        """Ids of the locally decidable links this item belongs to."""
        keys = [("id", item.external_id), ("key", item.key.casefold())]
        if item.parent_ref:
            keys.append(("parent", item.parent_ref.casefold()))
        keys += [("label", label.casefold()) for label in item.labels]
        candidates = [link for key in keys for link in self._local.get(key, ())]
        return {link.id for link in candidates if link_matches(link.kind, link.ref, item)}


_PROBE = WorkItem(external_id="", key="", title="", status_category=StatusCategory.TODO,
                  updated_at=datetime(1970, 1, 1))


def plan_page(state: PassState, items: Sequence[WorkItem], stored: Mapping[str, StoredItem],
              links: "LinkIndex | Sequence[LinkView]", is_last: bool) -> PagePlan:
    """Decide what storing this page changes; advances `state.high_water`."""
    index = links if isinstance(links, LinkIndex) else LinkIndex(links)
    unique, duplicates = newest_per_id(items)
    plan = PagePlan(duplicates=duplicates, seen_ids={i.external_id for i in unique})
    _plan_items(plan, unique, stored, index, recheck_all=state.recheck_all)
    _advance_cursor(state, plan, items, is_last)
    return plan


def plan_delivery_items(items: Sequence[WorkItem], deletions: Mapping[str, datetime | None],
                  stored: Mapping[str, StoredItem], links: "LinkIndex | Sequence[LinkView]",
                  estimate_kept: set[str] = frozenset()) -> PagePlan:
    """What a webhook delivery changes: its items (the same version as stored is written again, a
    delivery may carry what a re-read missed), items it flags deleted, their memberships."""
    index = links if isinstance(links, LinkIndex) else LinkIndex(links)
    unique, duplicates = newest_per_id(items)
    plan = PagePlan(duplicates=duplicates, seen_ids={i.external_id for i in unique})
    _plan_items(plan, unique, stored, index, recheck_all=False, rewrite_same=True)
    plan.estimate_kept = {i.external_id for i in plan.upserts} & set(estimate_kept)
    plan_deletions(plan, deletions, stored, index)
    return plan


def plan_deletions(plan: PagePlan, deletions: Mapping[str, datetime | None],
                   stored: Mapping[str, StoredItem], index: LinkIndex) -> None:
    """Flag stored items deleted (as of a time, when given); the KRs they counted toward recount.
    Items the store never held are nothing to delete."""
    for external_id, at in deletions.items():
        known = stored.get(external_id)
        if known is None:
            continue
        plan.deletions[external_id] = at
        plan.key_result_ids |= {index.by_id[link_id].key_result_id for link_id in known.link_ids
                                if link_id in index.by_id}


def _plan_items(plan: PagePlan, unique: Sequence[WorkItem], stored: Mapping[str, StoredItem],
                index: LinkIndex, recheck_all: bool, rewrite_same: bool = False) -> None:
    for item in unique:
        known = stored.get(item.external_id)
        if known is not None and is_older(item.updated_at, known.updated_at):
            plan.stale += 1      # the store already holds a newer version (e.g. from a webhook)
            continue
        newer = known is None or item.updated_at > known.updated_at or rewrite_same
        if newer:
            plan.upserts.append(item)
            plan.rescope |= index.tracker_scopes   # only the tracker knows if it still matches
        else:
            plan.unchanged += 1
        if newer or recheck_all:
            _plan_membership(plan, item, known, index)


def _plan_membership(plan: PagePlan, item: WorkItem, known: StoredItem | None,
                     index: LinkIndex) -> None:
    current = known.link_ids if known is not None else frozenset()
    matched = set() if item.deleted else index.matching(item)
    for link_id in matched | current:
        link = index.by_id.get(link_id)
        if link is None:
            continue
        plan.key_result_ids.add(link.key_result_id)   # it counts, or counted: recount either way
        if link_id in matched and link_id not in current:
            plan.member_adds.add((link_id, item.external_id))
        elif link_id not in matched and (item.deleted or not index.is_tracker_evaluated(link_id)):
            plan.member_removes.add((link_id, item.external_id))


def _advance_cursor(state: PassState, plan: PagePlan, items: Sequence[WorkItem],
                    is_last: bool) -> None:
    newest = max((i.updated_at for i in items), default=None)
    if newest is not None and (state.high_water is None or newest > state.high_water):
        state.high_water = newest
    # Oldest-first pages (Jira) cover everything up to their newest item; newest-first pages
    # (Linear) cover nothing for sure until the last one, so the cursor waits for it.
    if state.high_water is not None and (is_last or not state.newest_first):
        plan.cursor = state.high_water


def plan_resolution(links: Sequence[LinkView], items: Sequence[WorkItem],
                    current: Mapping[int, frozenset[str]],
                    stored: Mapping[str, StoredItem]) -> PagePlan:
    """Membership of links sharing one scope after the tracker resolved it afresh: exactly its
    live items (deleted ones never count); items newer than stored are stored."""
    unique, duplicates = newest_per_id(items)
    live = {i.external_id for i in unique if not i.deleted}
    plan = PagePlan(duplicates=duplicates, seen_ids=set(live))
    for item in unique:
        known = stored.get(item.external_id)
        if known is not None and is_older(item.updated_at, known.updated_at):
            plan.stale += 1
        elif known is None or item.updated_at > known.updated_at:
            plan.upserts.append(item)
        else:
            plan.unchanged += 1
    for link in links:
        members = current.get(link.id, frozenset())
        plan.member_adds |= {(link.id, ext) for ext in live - members}
        plan.member_removes |= {(link.id, ext) for ext in members - live}
        plan.key_result_ids.add(link.key_result_id)   # members' states may have moved too
    return plan
