"""What okrsync itself reads from a connection's stored settings, typed, with every default here.

The tracker clients' own options (page size, timeouts, retries, field ids) are read by each
connector's `from_settings`; this covers counting, scheduling, mirroring and write-back.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

# The setting where a connector caches what it learned of its tracker site (field ids, the time
# zone, the account it calls as); the connector reads it, jobs store it (sync.connections.site_facts).
SITE_FACTS = "site_facts"


@dataclass(frozen=True)
class ConnectionSettings:
    default_estimate: float = 1.0            # points of an unestimated item
    story_points_field: str | None = None    # Jira custom field holding story points
    reconcile_minutes: int = 10              # scheduled pass interval; 0 turns it off
    reconcile_batch_items: int = 500         # items stored per committed page of a pass
    reconcile_split: bool = False            # Jira: a pass reads each tracked project in a job of its own
    mirror_objectives: bool = True
    mirror_key_results: bool = True
    on_delete: str = "archive"               # or "unlink": forget the mirror, leave the tracker alone
    linear_attachments: str = "all"          # "all" linked issues, only "open" ones, or "off"
    linear_attachment_calls_per_hour: int = 1000   # a fifth of what Linear allows an API key

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any] | None) -> "ConnectionSettings":
        """The typed view of `Connection.settings` (None or missing keys take the defaults)."""
        stored = stored or {}
        return cls(
            default_estimate=float(stored.get("default_estimate", cls.default_estimate)),
            story_points_field=stored.get("story_points_field"),
            reconcile_minutes=int(stored.get("reconcile_minutes", cls.reconcile_minutes)),
            reconcile_batch_items=int(stored.get("reconcile_batch_items", cls.reconcile_batch_items)),
            reconcile_split=stored.get("reconcile_split", False) is True,
            mirror_objectives=bool(stored.get("mirror_objectives", True)),
            mirror_key_results=bool(stored.get("mirror_key_results", True)),
            on_delete=stored.get("on_delete", cls.on_delete),
            linear_attachments=stored.get("linear_attachments", cls.linear_attachments),
            linear_attachment_calls_per_hour=int(stored.get(
                "linear_attachment_calls_per_hour", cls.linear_attachment_calls_per_hour)))
