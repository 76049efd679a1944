"""Pages read ahead on a thread: in order, errors passed on, bounded, and stopped with the caller."""
from __future__ import annotations

import threading

import pytest

from okr_core.domain import Page
from sync.reconcile.prefetch import prefetched_pages


class NumberedPages:
    """Pages 0..last, each holding its number; records which pages were read."""

    def __init__(self, last: int, fail_at: int | None = None):
        self.last, self.fail_at, self.read = last, fail_at, []
        self.lock = threading.Lock()

    def __call__(self, token: str | None) -> Page:
        number = int(token or 0)
        with self.lock:
            self.read.append(number)
        if number == self.fail_at:
            raise ConnectionError(f"page {number} failed")
        return Page(items=[number], next_cursor=str(number + 1) if number < self.last else None)


def test_every_page_comes_once_in_order():
    source = NumberedPages(last=40)
    assert [page.items[0] for page in prefetched_pages(source, ahead=3)] == list(range(41))
    assert source.read == list(range(41))


def test_a_failed_read_reaches_the_caller_after_the_pages_before_it():
    source = NumberedPages(last=10, fail_at=4)
    received = []
    with pytest.raises(ConnectionError, match="page 4"):
        for page in prefetched_pages(source, ahead=2):
            received.append(page.items[0])
    assert received == [0, 1, 2, 3]


def test_the_reader_stays_a_bounded_number_of_pages_ahead_and_stops_with_the_caller():
    source = NumberedPages(last=1000)
    pages = prefetched_pages(source, ahead=3)
    assert next(pages).items == [0]
    pages.close()   # the caller stops reading (an error while storing, say)
    # Page 0 taken, three waiting in the queue, at most one more read while the queue was full.
    assert max(source.read) <= 5
