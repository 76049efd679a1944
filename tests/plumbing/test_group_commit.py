"""Group commit: items handed in while a write is in flight are written together, each thread
gets its own item's result only after its batch is written, and a failed write fails its batch."""
from __future__ import annotations

import threading
import time
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


class HeldWrites:
    """A flush that holds every write until released, and records how many ran at once."""

    def __init__(self, fail_on: str | None = None):
        self.batches: list[list[str]] = []
        self.running = self.most_at_once = 0
        self.release = threading.Event()
        self.fail_on = fail_on
        self._lock = threading.Lock()

    def __call__(self, batch):
        with self._lock:
            self.batches.append(list(batch))
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            assert self.release.wait(10)
            if self.fail_on in batch:
                raise ConnectionError(f"write of {self.fail_on} refused")
            return [f"stored {item}" for item in batch]
        finally:
            with self._lock:
                self.running -= 1


def wait_until(condition) -> None:
    for _ in range(10_000):
        if condition():
            return
        threading.Event().wait(0.001)
    raise AssertionError("condition never met")


def test_with_two_in_flight_a_second_item_is_written_at_once_and_later_ones_wait():
    writes = HeldWrites()
    writer = GroupCommit(writes, in_flight=2)
    with ThreadPoolExecutor(THREADS) as pool:
        first = pool.submit(writer.submit, "item-0")
        wait_until(lambda: writes.running == 1)
        second = pool.submit(writer.submit, "item-1")
        wait_until(lambda: writes.running == 2)   # not behind the first write
        later = [pool.submit(writer.submit, f"item-{n}") for n in range(2, THREADS)]
        wait_until(lambda: len(writer._waiting) == THREADS - 2)
        assert writes.running == 2   # a third write never starts
        writes.release.set()
        outcomes = [future.result(10) for future in [first, second, *later]]
    assert outcomes == [f"stored item-{n}" for n in range(THREADS)]
    assert writes.batches[:2] == [["item-0"], ["item-1"]]
    written = [item for batch in writes.batches for item in batch]
    assert sorted(written) == sorted(f"item-{n}" for n in range(THREADS))   # each once
    assert writes.most_at_once == 2
    assert writer._writing == 0 and writer._waiting == []


def test_a_failed_write_fails_only_its_batch_while_the_other_in_flight_is_stored():
    writes = HeldWrites(fail_on="item-1")
    writer = GroupCommit(writes, in_flight=2)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(writer.submit, "item-0")
        wait_until(lambda: writes.running == 1)
        failing = pool.submit(writer.submit, "item-1")
        wait_until(lambda: writes.running == 2)
        writes.release.set()
        assert first.result(10) == "stored item-0"
        with pytest.raises(ConnectionError, match="item-1"):
            failing.result(10)
    assert writer.submit("after") == "stored after"


def test_many_threads_with_two_in_flight_each_get_their_own_result_and_each_item_is_written_once():
    written: list[str] = []
    at_once = [0, 0]   # running, most
    lock = threading.Lock()

    def flush(batch):
        with lock:
            at_once[0] += 1
            at_once[1] = max(at_once)
        threading.Event().wait(0.002)   # a round trip: the others pile up meanwhile
        with lock:
            written.extend(batch)
            at_once[0] -= 1
        return [item.upper() for item in batch]

    writer = GroupCommit(flush, max_batch=7, in_flight=2)
    items = [f"item-{n}" for n in range(400)]
    with ThreadPoolExecutor(24) as pool:
        outcomes = list(pool.map(writer.submit, items))
    assert outcomes == [item.upper() for item in items]
    assert sorted(written) == sorted(items)
    assert at_once[1] == 2


def test_in_flight_below_one_is_refused():
    with pytest.raises(ValueError):
        GroupCommit(lambda batch: batch, in_flight=0)


class RecordedWrites:
    """A flush that records its batches and answers at once."""

    def __init__(self):
        self.batches: list[list[str]] = []

    def __call__(self, batch):
        self.batches.append(list(batch))
        return [f"stored {item}" for item in batch]


def test_a_write_waits_for_an_announced_item_and_takes_it_in_the_same_batch():
    writes = RecordedWrites()
    writer = GroupCommit(writes, gather_seconds=10)
    announced, go_on = threading.Event(), threading.Event()

    def late_item():
        with writer.arriving() as arrival:
            announced.set()
            assert go_on.wait(10)   # still being verified while the other write would start
            return arrival.submit("late")

    with ThreadPoolExecutor(2) as pool:
        late = pool.submit(late_item)
        assert announced.wait(10)
        early = pool.submit(writer.submit, "early")
        wait_until(lambda: writer._gathering)
        assert writes.batches == []   # the leader waits for the announced item
        go_on.set()
        assert (early.result(10), late.result(10)) == ("stored early", "stored late")
    assert writes.batches == [["early", "late"]]
    assert writer._arriving == 0 and writer._writing == 0


def test_an_announcement_withdrawn_lets_the_waiting_write_go_at_once():
    writes = RecordedWrites()
    writer = GroupCommit(writes, gather_seconds=30)
    announced, withdraw = threading.Event(), threading.Event()

    def refused_item():
        with writer.arriving():
            announced.set()
            assert withdraw.wait(10)   # refused (a bad signature, say): never submitted

    with ThreadPoolExecutor(2) as pool:
        refused = pool.submit(refused_item)
        assert announced.wait(10)
        started = time.monotonic()
        alone = pool.submit(writer.submit, "alone")
        wait_until(lambda: writer._gathering)
        withdraw.set()
        refused.result(10)
        assert alone.result(10) == "stored alone"
    assert time.monotonic() - started < 5   # not the 30 s it may gather for
    assert writes.batches == [["alone"]] and writer._arriving == 0


def test_with_nothing_announced_an_item_is_written_at_once():
    writes = RecordedWrites()
    writer = GroupCommit(writes, gather_seconds=30)
    started = time.monotonic()
    with writer.arriving() as arrival:   # its own announcement does not make it wait
        assert arrival.submit("lone") == "stored lone"
    assert writer.submit("unannounced") == "stored unannounced"
    assert time.monotonic() - started < 5
    assert writes.batches == [["lone"], ["unannounced"]]


def test_gathering_ends_after_gather_seconds_when_an_announced_item_never_comes():
    writes = RecordedWrites()
    writer = GroupCommit(writes, gather_seconds=0.2)
    announced, leave = threading.Event(), threading.Event()

    def stuck_item():
        with writer.arriving():
            announced.set()
            assert leave.wait(10)

    with ThreadPoolExecutor(1) as pool:
        stuck = pool.submit(stuck_item)
        assert announced.wait(10)
        started = time.monotonic()
        assert writer.submit("waited") == "stored waited"
        waited = time.monotonic() - started
        leave.set()
        stuck.result(10)
    assert 0.15 <= waited < 5
    assert writes.batches == [["waited"]]


def test_an_arrival_submits_one_item():
    writer = GroupCommit(RecordedWrites())
    with writer.arriving() as arrival:
        arrival.submit("one")
        with pytest.raises(RuntimeError):
            arrival.submit("two")
    assert writer._arriving == 0
