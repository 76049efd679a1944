"""RQ job entry points: module-level functions that take ids."""
from __future__ import annotations

import logging

log = logging.getLogger("okrsync.jobs")


def resolve_link(link_id: int) -> None:
    """Resolve a work link through its connector and recompute the key result."""
    from sync.link_resolution import resolve_link_now

    resolve_link_now(link_id)
