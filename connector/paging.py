"""Walk every page of a paged connector read."""
from __future__ import annotations

from typing import Callable, Iterator

from okr_core.domain import Page


def all_items(read_page: Callable[..., Page], *args) -> Iterator:
    """Yield the items of every page of `read_page(*args, page_cursor)`, first page first.

    Example: ``all_items(connector.resolve_link, LinkKind.EPIC, "OKR-1")``.
    """
    cursor = None
    while True:
        page = read_page(*args, cursor)
        yield from page.items
        if (cursor := page.next_cursor) is None:
            return
