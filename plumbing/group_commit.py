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

`flush(items)` returns one result per item, in order, or raises; its error is raised in every
thread whose item was in that batch. A thread returns only once its item's batch is flushed.
"""
from __future__ import annotations

import threading
from typing import Callable, Generic, Sequence, TypeVar

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
                 in_flight: int = 1):
        if in_flight < 1:
            raise ValueError("in_flight must be at least 1")
        self._flush = flush
        self._max_batch = max_batch
        self._in_flight = in_flight
        self._waiting: list[_Slot] = []
        self._writing = 0   # writes running (each led by one thread)
        self._mutex = threading.Lock()

    def submit(self, item: Item) -> Result:
        """`item`'s result once the batch holding it is flushed; raises that batch's error."""
        slot = _Slot(item)
        with self._mutex:
            if self._writing < self._in_flight:
                self._writing += 1
                slot.leads = True
            else:
                self._waiting.append(slot)
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
