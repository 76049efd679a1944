"""Group commit: threads that each need a write done hand it in and wait; one writes them all.

A thread arriving while fewer than `in_flight` writes are running leads: it takes every item
waiting (up to `max_batch`), runs `flush` on the batch (one round trip for all of them, say) and
wakes the others with their results. Items that arrive while `in_flight` writes run wait for one
of them to end, and one of their threads leads the next. No thread of its own, so nothing to
start after a fork or stop at exit, and a lone request pays no hand-over between threads.

With one write in flight a request that just missed a batch waits for that batch's write and
then its own; where a write's time is mostly waiting (PostgreSQL's commit waits for the disk, and
the server merges the flushes of commits made together), a second write in flight lets it start
at once (issue 14). Batches in flight are independent: each holds other items, and a failed one
fails only its own.

Gathering (`gather_seconds` > 0): threads announce an item before they have it ready
(`arriving()`: a request being verified, say). A leader that would flush while announced items are
still on their way waits for them, up to `gather_seconds`, and new items queue behind it instead
of starting another write. On a busy process nearly every request has company and each write of
a lone item costs as much as that of several (issue 14: a PostgreSQL INSERT's fixed CPU); an
item with nobody announced is flushed at once, so a quiet process adds no delay.

`flush(items)` returns one result per item, in order, or raises; its error is raised in every
thread whose item was in that batch. A thread returns only once its item's batch is flushed.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Callable, Generic, Iterator, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Slot(Generic[Item, Result]):
    __slots__ = ("item", "done", "leads", "result", "error", "woken")

    def __init__(self, item: Item):
        self.item = item
        self.done = False
        self.leads = False
        self.result: Result | None = None
        self.error: BaseException | None = None
        self.woken = threading.Lock()   # held until the slot is done or must lead
        self.woken.acquire()


class GroupCommit(Generic[Item, Result]):
    def __init__(self, flush: Callable[[Sequence[Item]], Sequence[Result]], max_batch: int = 100,
                 in_flight: int = 1, gather_seconds: float = 0.0):
        if in_flight < 1:
            raise ValueError("in_flight must be at least 1")
        self._flush = flush
        self._max_batch = max_batch
        self._in_flight = in_flight
        self._gather_seconds = gather_seconds
        self._waiting: list[_Slot] = []
        self._writing = 0   # writes running (each led by one thread)
        self._arriving = 0   # items announced (arriving()) and not submitted yet
        self._gathering = False   # a leader waits for the arriving ones
        self._mutex = threading.Lock()
        self._arrived = threading.Condition(self._mutex)   # the gathering leader is woken by it

    @contextmanager
    def arriving(self) -> Iterator["Arrival"]:
        """Announce an item on its way: the block submits it with `arrival.submit(item)`, or
        leaves without (an error, a refusal), which withdraws the announcement."""
        arrival = Arrival(self)
        with self._mutex:
            self._arriving += 1
        try:
            yield arrival
        finally:
            if not arrival.submitted:
                with self._mutex:
                    self._arriving -= 1
                    self._wake_gatherer()

    def submit(self, item: Item, announced: bool = False) -> Result:
        """`item`'s result once the batch holding it is flushed; raises that batch's error.
        `announced`: the item was announced by arriving() (Arrival.submit passes it)."""
        slot = _Slot(item)
        with self._mutex:
            if announced:
                self._arriving -= 1
            if self._writing < self._in_flight and not self._gathering:
                self._writing += 1
                slot.leads = True
            else:
                self._waiting.append(slot)
                self._wake_gatherer()
        if not slot.leads:
            slot.woken.acquire()   # each waiter is woken alone: no thundering herd
        if not slot.done:
            self._lead(slot)
        if slot.error is not None:
            raise slot.error
        return slot.result

    def _lead(self, own: _Slot) -> None:
        """Flush `own` with the slots waiting (up to max_batch), then pass the lead on: the write
        this thread ran is handed to a waiting slot, or ends (one fewer in flight)."""
        with self._mutex:
            self._gather()
            taken = self._max_batch - 1
            batch = [own, *self._waiting[:taken]]
            del self._waiting[:taken]
        try:
            results = self._flush([slot.item for slot in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"flush returned {len(results)} results for {len(batch)} items")
            for slot, result in zip(batch, results):
                slot.result = result
        except BaseException as exc:   # every waiter of the batch must hear of it, then re-raise
            for slot in batch:
                slot.error = exc
            if not isinstance(exc, Exception):
                raise
        finally:
            for slot in batch:
                slot.done = True
            with self._mutex:
                following = self._waiting.pop(0) if self._waiting else None
                if following is None:
                    self._writing -= 1
                else:
                    following.leads = True
            for slot in batch[1:]:
                slot.woken.release()
            if following is not None:
                following.woken.release()

    def _gather(self) -> None:
        """With the mutex held: wait (up to gather_seconds) while announced items are on their way
        and the batch has room; items submitted meanwhile queue behind this leader."""
        if not self._gather_seconds or self._gathering or not self._arriving:
            return
        deadline = time.monotonic() + self._gather_seconds
        self._gathering = True
        try:
            while self._arriving and len(self._waiting) + 1 < self._max_batch:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._arrived.wait(remaining)
        finally:
            self._gathering = False

    def _wake_gatherer(self) -> None:
        """With the mutex held: wake the gathering leader once it has all it waits for."""
        if self._gathering and (not self._arriving
                                or len(self._waiting) + 1 >= self._max_batch):
            self._arrived.notify()


class Arrival(Generic[Item, Result]):
    """An item announced to a GroupCommit (GroupCommit.arriving)."""

    __slots__ = ("_writer", "submitted")

    def __init__(self, writer: GroupCommit):
        self._writer = writer
        self.submitted = False

    def submit(self, item: Item) -> Result:
        if self.submitted:
            raise RuntimeError("an arrival submits one item")
        self.submitted = True
        return self._writer.submit(item, announced=True)
