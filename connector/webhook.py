"""A tracker's webhook dialect (how it signs, names and describes deliveries) and what one delivery
changes, as plain data for the worker to apply. Pure: no I/O."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connector.payload import from_millis
from okr_core.connection_settings import SITE_FACTS
from okr_core.domain import Comment, TrackerKind, WorkItem


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


Planner = Callable[[Mapping[str, Any]], DeliveryEffect]


class WebhookDialect:
    """One tracker's webhooks: headers, signature, event names, timestamp and payload planners.

    Each tracker subclasses it in `connector/<tracker>/webhooks.py`; `webhooks.events` and the
    delivery worker only ever talk to this interface.
    """

    tracker: TrackerKind
    signature_header: str
    delivery_header: str          # a stable id per delivery, the dedupe key
    timestamp_field: str          # payload field: when the tracker sent it (epoch milliseconds)
    event_planners: Mapping[str, Planner]

    @property
    def read_headers(self) -> tuple[str, str]:
        """The only headers parsing reads: callers may pass just these."""
        return (self.signature_header, self.delivery_header)

    def signature(self, body: bytes, secret: str) -> str:
        """The signature header value the tracker sends for `body` signed with `secret`."""
        return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()

    def event_type(self, payload: Mapping[str, Any]) -> str:
        raise NotImplementedError

    def occurred_at(self, payload: Mapping[str, Any]) -> datetime | None:
        return from_millis(payload.get(self.timestamp_field))

    def stale_timestamp(self, payload: Mapping[str, Any], now: datetime) -> str | None:
        """Why the signed timestamp makes the delivery unacceptable; None when it is fine."""
        return None

    def is_ignored(self, event_type: str) -> bool:
        """Known and deliberately not acted on (answered 200, stored as ignored)."""
        raise NotImplementedError

    def plan(self, event_type: str, payload: Mapping[str, Any],
             settings: Mapping[str, Any] | None = None) -> DeliveryEffect:
        """What the delivery changes; an empty effect for events okrsync does not handle.

        `settings`: the connection's stored settings, read by the tracker's own reading rules."""
        planner = self.event_planners.get(event_type)
        return planner(payload) if planner else DeliveryEffect()

    def author(self, payload: Mapping[str, Any]) -> str | None:
        """The account whose change the delivery reports, when the payload names it; a delivery
        by okrsync's own account (its writes to mirrors) changes nothing worth a tracker call."""
        return None

    def keeps_stored_estimate(self, settings: Mapping[str, Any] | None) -> bool:
        """True when the payload cannot say the estimate, so the stored one stays."""
        return False

    def is_own_change(self, payload: Mapping[str, Any], settings: Mapping[str, Any] | None) -> bool:
        """True when okrsync's own account made the change the delivery tells of (its write
        coming back): the payload's author is the account the connector cached among the site
        facts (Jira: /myself; Linear: the `viewer`, learned before okrsync's first write)."""
        author = self.author(payload)
        facts = (settings or {}).get(SITE_FACTS) or {}
        return author is not None and author == facts.get("account_id")
