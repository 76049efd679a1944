"""Group commit: items handed in while a write is in flight are written together, each thread
gets its own item's result only after its batch is written, and a failed write fails its batch."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from plumbing.group_commit import GroupCommit

THREADS = 12


class SlowWrites:
    """A flush that holds the first write until released, recording every batch it is given."""

    def __init__(self, fail_on: str | None = None):
        self.batches: list[list[str]] = []
        self.written: list[str] = []
        self.first_started = threading.Event()
        self.release_first = threading.Event()
        self.fail_on = fail_on

    def __call__(self, batch):
        self.batches.append(list(batch))
        if len(self.batches) == 1:
            self.first_started.set()
            assert self.release_first.wait(10)
        if self.fail_on in batch:
            raise ConnectionError(f"write of {self.fail_on} refused")
        self.written.extend(batch)
        return [f"stored {item}" for item in batch]


def submit_while_first_write_is_held(writes: SlowWrites, writer: GroupCommit, count: int):
    """Submit item-0, hold its write, submit the others meanwhile, then let the writes go on."""
    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(writer.submit, "item-0")]
        assert writes.first_started.wait(10)
        futures += [pool.submit(writer.submit, f"item-{n}") for n in range(1, count)]
        while len(writer._waiting) < count - 1:   # every later item waits behind the first write
            threading.Event().wait(0.001)
        writes.release_first.set()
        outcomes = []
        for future in futures:
            try:
                outcomes.append(future.result(10))
            except ConnectionError as exc:
                outcomes.append(exc)
        return outcomes


def test_items_arriving_during_a_write_are_written_together_in_one_more_write():
    writes = SlowWrites()
    outcomes = submit_while_first_write_is_held(writes, GroupCommit(writes), THREADS)
    assert outcomes == [f"stored item-{n}" for n in range(THREADS)]
    assert writes.batches[0] == ["item-0"]
    assert sorted(writes.batches[1]) == sorted(f"item-{n}" for n in range(1, THREADS))
    assert len(writes.batches) == 2


def test_a_batch_larger_than_the_limit_is_written_in_several_and_every_item_once():
    writes = SlowWrites()
    outcomes = submit_while_first_write_is_held(writes, GroupCommit(writes, max_batch=5), THREADS)
    assert outcomes == [f"stored item-{n}" for n in range(THREADS)]
    assert [len(batch) for batch in writes.batches] == [1, 5, 5, 1]
    assert sorted(writes.written) == sorted(f"item-{n}" for n in range(THREADS))


def test_a_failed_write_is_raised_in_every_thread_of_its_batch_and_no_other():
    writes = SlowWrites(fail_on="item-3")
    writer = GroupCommit(writes)
    outcomes = submit_while_first_write_is_held(writes, writer, THREADS)
    assert outcomes[0] == "stored item-0"
    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes[1:])
    assert "item-3" not in writes.written
    # The writer is free again: the next item is written, alone.
    assert writer.submit("after") == "stored after"
    assert writes.batches[-1] == ["after"]


def test_a_flush_returning_the_wrong_number_of_results_fails_its_batch():
    writer = GroupCommit(lambda batch: [])
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        writer.submit("lost")
