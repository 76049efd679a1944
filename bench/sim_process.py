"""A SimTracker in a process of its own, so that serving it does not share the benchmark's CPU.

A real tracker is another machine: serving pages costs the client nothing but the wait. An
in-process simulator would bill its own JSON encoding to whatever the benchmark measures.
"""
from __future__ import annotations

from contextlib import contextmanager
from multiprocessing.managers import BaseManager
from typing import Iterator

from tests.simtracker import SimTracker


class SimControl:
    """What a benchmark asks of the simulator, as plain picklable values."""

    def __init__(self, **options):
        self._sim = SimTracker.start(**options)

    def url(self) -> str:
        return self._sim.url

    def set_latency(self, latency_ms: float) -> None:
        """How long each answer waits before it is sent (a stand-in for the network and the tracker)."""
        self._sim.latency_ms = latency_ms

    def epic_keys(self) -> list[str]:
        return [issue.key for issue in self._sim.store.live() if issue.issuetype == "Epic"]

    def project_id(self, epic_key: str) -> str:
        return self._sim.store.project_id(epic_key)

    def keys(self) -> list[str]:
        return self._sim.keys()

    def state(self, key: str) -> str:
        return self._sim.issue(key).state

    def set_done(self, key: str) -> None:
        self._sim.set_done(key)

    def relabel(self, key: str, labels: list[str]) -> None:
        self._sim.relabel(key, labels)

    def reset_calls(self) -> None:
        self._sim.reset_calls()

    def calls(self) -> list[tuple[str, str, str | None]]:
        """(method, path, GraphQL operation) of every call since the last reset."""
        return [(call.method, call.path, call.operation) for call in list(self._sim.calls)]

    def stop(self) -> None:
        self._sim.stop()


class _SimManager(BaseManager):
    pass


_SimManager.register("SimControl", SimControl)


@contextmanager
def simulator_process(**options) -> Iterator[SimControl]:
    """Start SimTracker(**options) in a child process; yields a proxy with SimControl's methods."""
    manager = _SimManager()
    manager.start()
    try:
        sim = manager.SimControl(**options)
        try:
            yield sim
        finally:
            sim.stop()
    finally:
        manager.shutdown()
