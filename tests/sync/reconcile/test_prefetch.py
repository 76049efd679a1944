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


def test_pages_are_decoded_in_order_on_the_callers_thread():
    source = NumberedPages(last=20)
    decoded_on: list[str] = []

    def decode(items: list) -> list:
        decoded_on.append(threading.current_thread().name)
        return [f"item {n}" for n in items]

    pages = list(prefetched_pages(source, ahead=3, decode=decode))
    assert [page.items for page in pages] == [[f"item {n}"] for n in range(21)]
    assert [page.next_cursor for page in pages] == [str(n + 1) for n in range(20)] + [None]
    assert decoded_on == [threading.current_thread().name] * 21   # not the reader's


def test_a_page_that_cannot_be_decoded_stops_the_reading_with_its_error():
    source = NumberedPages(last=1000)

    def decode(items: list) -> list:
        if items == [2]:
            raise ValueError("page 2 is malformed")
        return items

    received = []
    with pytest.raises(ValueError, match="page 2"):
        for page in prefetched_pages(source, ahead=3, decode=decode):
            received.append(page.items[0])
    assert received == [0, 1] and max(source.read) <= 8   # the reader stopped too


def test_a_jira_pass_maps_its_pages_on_the_storing_thread(app, sim, sync_world, monkeypatch):
    """The reader thread only waits for answers and decodes them: the next request goes out as
    soon as the page's token is known, and mapping waits for the thread that stores."""
    from connector.jira import mapping
    from okr_core.domain import LinkKind, TrackerKind
    from sync.reconcile.passes import reconcile_connection

    mapped_on: list[str] = []
    real = mapping.work_item

    def spy(*args, **kwargs):
        mapped_on.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(mapping, "work_item", spy)
    jira = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50)
    sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    with app.app_context():
        counts = reconcile_connection(jira)
    assert counts.items_read > 50 and len(mapped_on) >= counts.items_read   # several pages
    assert set(mapped_on) == {threading.current_thread().name}
