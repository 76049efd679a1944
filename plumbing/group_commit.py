"""Group commit: threads that each need a write done hand it in and wait; one of them writes them all.

The first thread to arrive while no write is in flight leads: it takes every item waiting (up to
`max_batch`), runs `flush` on the batch (one round trip for all of them, say) and wakes the others
with their results. Items that arrive meanwhile wait for that write to end, and one of their
threads leads the next. No thread of its own, so nothing to start after a fork or stop at exit,
and a lone request pays no hand-over between threads.

`flush(items)` returns one result per item, in order, or raises; its error is raised in every
thread whose item was in that batch. A thread returns only once its item's batch is flushed.
"""
from __future__ import annotations

import threading
from typing import Callable, Generic, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Slot(Generic[Item, Result]):
    __slots__ = ("item", "done", "result", "error")

    def __init__(self, item: Item):
        self.item = item
        self.done = False
        self.result: Result | None = None
        self.error: BaseException | None = None


class GroupCommit(Generic[Item, Result]):
    def __init__(self, flush: Callable[[Sequence[Item]], Sequence[Result]], max_batch: int = 100):
        self._flush = flush
        self._max_batch = max_batch
        self._waiting: list[_Slot] = []
        self._writing = False
        self._changed = threading.Condition(threading.Lock())

    def submit(self, item: Item) -> Result:
        """`item`'s result once the batch holding it is flushed; raises that batch's error."""
        slot = _Slot(item)
        with self._changed:
            self._waiting.append(slot)
        while True:
            with self._changed:
                while self._writing and not slot.done:
                    self._changed.wait()
                if slot.done:
                    break
                self._writing = True   # this thread leads the next batch (its slot, or nearer)
            self._lead()
        if slot.error is not None:
            raise slot.error
        return slot.result

    def _lead(self) -> None:
        with self._changed:
            batch = self._waiting[:self._max_batch]
            del self._waiting[:self._max_batch]
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
            with self._changed:
                for slot in batch:
                    slot.done = True
                self._writing = False
                self._changed.notify_all()
