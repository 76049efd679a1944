"""Group commit for an event loop: requests await their item's write; one thread writes batches.

The asyncio counterpart of plumbing/group_commit.py, for the ASGI front (okrsync/intake_asgi.py).
A waiting request is a coroutine, not a thread: no thread is woken per request, only the loop once
per batch. Items submitted while a write runs go together in the next; a batch's `flush` runs on a
thread of its own (the store's driver blocks), so the loop goes on reading and verifying requests
meanwhile (issue 14: intake's CPU per delivery under wrk, about 0.54 ms in gunicorn's threaded
worker, is 0.25-0.33 ms).

`flush(items)` returns one result per item, in order, or raises; its error is raised in every
request whose item was in that batch.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Generic, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class LoopGroupCommit(Generic[Item, Result]):
    def __init__(self, flush: Callable[[Sequence[Item]], Sequence[Result]], max_batch: int = 100,
                 thread_name: str = "group-commit"):
        self._flush = flush
        self._max_batch = max_batch
        self._waiting: list[tuple[Item, asyncio.Future]] = []
        self._writing = False
        self._writing_task: asyncio.Task | None = None   # referenced, so it is not collected
        self._writer = ThreadPoolExecutor(1, thread_name_prefix=thread_name)

    async def submit(self, item: Item) -> Result:
        """`item`'s result once the batch holding it is written; raises that batch's error."""
        loop = asyncio.get_running_loop()
        result = loop.create_future()
        self._waiting.append((item, result))
        if not self._writing:
            self._writing = True
            self._writing_task = loop.create_task(self._write_while_waiting())
        return await result

    async def _write_while_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            # One turn of the loop first: requests already read in this turn join the batch.
            await asyncio.sleep(0)
            while self._waiting:
                batch = self._waiting[:self._max_batch]
                del self._waiting[:self._max_batch]
                await self._write(loop, batch)
        finally:
            self._writing = False

    async def _write(self, loop, batch: list[tuple[Item, asyncio.Future]]) -> None:
        try:
            results = await loop.run_in_executor(self._writer, self._flush,
                                                 [item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"flush returned {len(results)} results for {len(batch)} items")
        except Exception as exc:   # every request of the batch hears of it
            for _, waiting in batch:
                if not waiting.done():
                    waiting.set_exception(exc)
            return
        for (_, waiting), result in zip(batch, results):
            if not waiting.done():   # a request cancelled meanwhile (its client went away)
                waiting.set_result(result)

    def close(self) -> None:
        """Stop the writer thread once the batch it writes, if any, is done."""
        self._writer.shutdown(wait=True)
