"""Reading a paged tracker call ahead of the caller, on a thread, a bounded number of pages ahead."""
from __future__ import annotations

import queue
import threading
from typing import Callable, Iterator

from okr_core.domain import Page

# Pages read ahead while the caller stores earlier ones: a batch of them (sync.reconcile joins
# pages into batches of BATCH_ITEMS) can be read while the one before is stored, and memory stays
# bounded by this many pages, whatever the size of the read.
PAGES_AHEAD = 8


def prefetched_pages(read_page: Callable[[str | None], Page], ahead: int = PAGES_AHEAD,
                     decode: Callable[[list], list] | None = None) -> "PrefetchedPages":
    """Every page of `read_page(token)`; a thread reads up to `ahead` pages before the caller.

    `decode`, when given, turns each page's items into what the caller gets, on the caller's
    thread: the reader's time between two requests is what the pages cannot hide (each request
    needs the token of the answer before), so work that needs no token (mapping an answer's
    objects to items) is better done by the caller, which has time while it waits for pages.
    """
    return PrefetchedPages(read_page, ahead, decode)


class PrefetchedPages:
    """The pages in order (an iterator); `ahead_of_reader()` tells whether the caller has time to spare."""

    def __init__(self, read_page: Callable[[str | None], Page], ahead: int,
                 decode: Callable[[list], list] | None = None):
        self._reader = _PageReader(read_page, ahead)
        self._decode = decode
        self._reader.start()
        self._pages = self._take()

    def __iter__(self) -> Iterator[Page]:
        return self

    def __next__(self) -> Page:
        return next(self._pages)

    def ahead_of_reader(self) -> bool:
        """True while the reader is still reading and has read less than half of what it may read
        ahead: the caller has time for other work before it would hold the reader up."""
        reader = self._reader
        return reader.is_alive() and reader.pages.qsize() < max(1, reader.pages.maxsize // 2)

    def close(self) -> None:
        """Stop the reader (the caller stops reading, an error while storing, say)."""
        self._pages.close()
        self._reader.stop.set()
        self._reader.join()

    def _take(self) -> Iterator[Page]:
        try:
            while True:
                page = self._reader.pages.get()
                if isinstance(page, BaseException):
                    raise page
                if self._decode is not None:
                    page = Page(items=self._decode(page.items), next_cursor=page.next_cursor)
                yield page
                if page.next_cursor is None:
                    return
        finally:
            self._reader.stop.set()
            self._reader.join()


class _PageReader(threading.Thread):
    """Reads pages in order into a bounded queue; an error goes into the queue in place of a page."""

    def __init__(self, read_page: Callable[[str | None], Page], ahead: int):
        super().__init__(name="okrsync-prefetch", daemon=True)
        self._read_page = read_page
        self.pages: queue.Queue = queue.Queue(maxsize=max(1, ahead))
        self.stop = threading.Event()

    def run(self) -> None:
        token = None
        try:
            while not self.stop.is_set():
                page = self._read_page(token)
                self._put(page)
                if page.next_cursor is None:
                    return
                token = page.next_cursor
        except BaseException as exc:   # handed to the caller, which raises it
            self._put(exc)

    def _put(self, value) -> None:
        """Wait for room in the queue, unless the caller stopped reading."""
        while not self.stop.is_set():
            try:
                self.pages.put(value, timeout=0.1)
                return
            except queue.Full:
                continue
