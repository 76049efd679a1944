"""LoopGroupCommit: requests on an event loop await their item's write; items that arrive while a
write runs go together in the next; a batch's error reaches each of its requests; the loop runs
on while a batch is written on the writer's thread."""
from __future__ import annotations

import asyncio
import threading

import pytest

from plumbing.loop_group_commit import LoopGroupCommit


class Recorder:
    """A flush that records its batches and the thread it ran on; it can be held."""

    def __init__(self, fail_on: str | None = None):
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()
        self.release = threading.Event()
        self.release.set()
        self.started = threading.Event()
        self.fail_on = fail_on

    @classmethod
    def held(cls) -> "Recorder":
        """One whose batches wait for `release`."""
        flush = cls()
        flush.release.clear()
        return flush

    async def wait_started(self) -> None:
        """Until a batch is being written (waited for off the loop)."""
        await asyncio.get_running_loop().run_in_executor(None, self.started.wait, 5)

    def __call__(self, items):
        self.started.set()
        self.release.wait(5)
        self.batches.append(list(items))
        self.threads.add(threading.current_thread().name)
        if self.fail_on in items:
            raise ValueError(f"refused {self.fail_on}")
        return [item.upper() for item in items]


def test_items_submitted_together_are_one_batch_with_results_in_order():
    flush = Recorder()
    writer = LoopGroupCommit(flush, thread_name="test-writer")

    async def run():
        return await asyncio.gather(*(writer.submit(item) for item in "abc"))

    assert asyncio.run(run()) == ["A", "B", "C"]
    assert flush.batches == [["a", "b", "c"]]
    assert all(name.startswith("test-writer") for name in flush.threads)
    writer.close()


def test_items_arriving_during_a_write_go_together_in_the_next():
    flush = Recorder.held()
    writer = LoopGroupCommit(flush)

    async def run():
        first = asyncio.ensure_future(writer.submit("a"))
        await flush.wait_started()
        later = [asyncio.ensure_future(writer.submit(item)) for item in "bcd"]
        await asyncio.sleep(0.05)
        assert flush.batches == [] and not first.done()   # the loop ran on meanwhile
        flush.release.set()
        return await first, await asyncio.gather(*later)

    assert asyncio.run(run()) == ("A", ["B", "C", "D"])
    assert flush.batches == [["a"], ["b", "c", "d"]]
    writer.close()


def test_batches_hold_at_most_max_batch_items():
    flush = Recorder()
    writer = LoopGroupCommit(flush, max_batch=2)

    async def run():
        return await asyncio.gather(*(writer.submit(item) for item in "abcde"))

    assert asyncio.run(run()) == list("ABCDE")
    assert flush.batches == [["a", "b"], ["c", "d"], ["e"]]
    writer.close()


def test_a_failed_batch_fails_each_of_its_requests_and_no_other():
    flush = Recorder(fail_on="b")
    writer = LoopGroupCommit(flush, max_batch=2)

    async def run():
        return await asyncio.gather(*(writer.submit(item) for item in "abc"),
                                    return_exceptions=True)

    first, second, third = asyncio.run(run())
    assert isinstance(first, ValueError) and first is second and str(first) == "refused b"
    assert third == "C"
    writer.close()


def test_a_flush_answering_the_wrong_number_of_results_is_an_error():
    writer = LoopGroupCommit(lambda items: ["only one"])

    async def run():
        return await asyncio.gather(writer.submit("a"), writer.submit("b"),
                                    return_exceptions=True)

    errors = asyncio.run(run())
    assert all(isinstance(error, RuntimeError) for error in errors)
    assert "1 results for 2 items" in str(errors[0])
    writer.close()


def test_a_request_cancelled_while_its_batch_is_written_leaves_the_others_answered():
    flush = Recorder.held()
    writer = LoopGroupCommit(flush)

    async def run():
        gone = asyncio.ensure_future(writer.submit("a"))
        kept = asyncio.ensure_future(writer.submit("b"))
        await flush.wait_started()
        gone.cancel()
        flush.release.set()
        return await kept

    assert asyncio.run(run()) == "B"
    assert flush.batches == [["a", "b"]]   # written all the same: it was on its way
    writer.close()


def test_writes_go_on_across_event_loops():
    """A new loop (a restarted server in the same process) finds the writer ready."""
    flush = Recorder()
    writer = LoopGroupCommit(flush)
    assert asyncio.run(writer.submit("a")) == "A"
    assert asyncio.run(writer.submit("b")) == "B"
    writer.close()


def test_close_waits_for_the_batch_being_written():
    flush = Recorder.held()
    writer = LoopGroupCommit(flush)
    answer = []
    runner = threading.Thread(target=lambda: answer.append(asyncio.run(writer.submit("a"))))
    runner.start()
    assert flush.started.wait(5)
    threading.Timer(0.1, flush.release.set).start()
    writer.close()
    assert flush.batches == [["a"]]
    runner.join(5)
    assert answer == ["A"]
    with pytest.raises(RuntimeError):
        asyncio.run(writer.submit("b"))
