"""SimTracker: a local HTTP server speaking the Jira REST and Linear GraphQL subset okrsync uses."""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

from tests.simtracker.data import IssueStore, SimIssue
from tests.simtracker.jira_api import JiraApi
from tests.simtracker.handler import make_handler
from tests.simtracker.linear_api import LinearApi

FAULTS = ("429", "500", "502", "503", "slow", "truncate", "malformed")


@dataclass(frozen=True)
class SimCall:
    """One request the simulator received."""

    method: str
    path: str
    operation: str | None
    status: int
    fault: str | None


class SimTracker:
    """Seeded issues served as Jira (/rest/api/...) and Linear (/graphql), with faults on demand."""

    def __init__(self, issues: int = 100, page_size: int = 100, linear_page_size: int = 250,
                 latency_ms: float = 0.0, seed: int = 7):
        self.store = IssueStore()
        self.store.seed(issues, seed)
        self.jira = JiraApi(self.store, page_size, denied_permissions=set())
        self.linear = LinearApi(self.store, linear_page_size)
        self.latency_ms = latency_ms
        self.slow_seconds = 2.0
        self.rate_limit_wait_seconds = 1.0
        self.auth_ok = True
        self.calls: list[SimCall] = []
        self._faults: deque[str] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def start(cls, **options) -> "SimTracker":
        """Build and start a simulator on 127.0.0.1 at a free port."""
        return cls(**options).serve()

    def serve(self) -> "SimTracker":
        """Start serving in a daemon thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="simtracker").start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "SimTracker":
        return self if self._server else self.serve()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL: Jira paths hang off it directly, Linear's endpoint is url + '/graphql'."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- control -----------------------------------------------------------------------------

    def inject(self, fault: str, count: int = 1) -> None:
        """Answer the next `count` requests with `fault` (one of FAULTS)."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {FAULTS}")
        with self._lock:
            self._faults.extend([fault] * count)

    def deny_permission(self, permission: str) -> None:
        """Make Jira's /mypermissions report `permission` as missing."""
        self.jira.denied_permissions.add(permission)

    @property
    def call_count(self) -> int:
        return len(self.calls)

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    def next_fault(self) -> str | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def record(self, method: str, path: str, operation: str | None, status: int, fault: str | None) -> None:
        with self._lock:
            self.calls.append(SimCall(method, path, operation, status, fault))

    # -- issue mutations (each bumps the issue's updated time) -------------------------------

    def issue(self, key: str) -> SimIssue:
        return self.store.issues[key]

    def keys(self) -> list[str]:
        """Keys of the issues that are not deleted."""
        return [i.key for i in self.store.live()]

    def set_state(self, key: str, state: str) -> SimIssue:
        return self.store.change(key, state=state)

    def set_done(self, key: str) -> SimIssue:
        return self.store.change(key, state="done")

    def move_to_epic(self, key: str, epic_key: str | None) -> SimIssue:
        return self.store.change(key, epic_key=epic_key)

    def move_out_of_epic(self, key: str) -> SimIssue:
        return self.store.change(key, epic_key=None)

    def relabel(self, key: str, labels: list[str]) -> SimIssue:
        return self.store.change(key, labels=list(labels))

    def set_points(self, key: str, points: float | None) -> SimIssue:
        return self.store.change(key, points=points)

    def delete(self, key: str) -> SimIssue:
        return self.store.change(key, deleted=True)

    def add_comment(self, key: str, body: str):
        return self.store.add_comment(key, body)

    def add_issue(self, title: str, state: str = "todo", epic_key: str | None = None, **extra) -> SimIssue:
        return self.store.create(title=title, state=state, epic_key=epic_key, **extra)

    def link_blocks(self, blocker: str, blocked: str) -> None:
        self.store.change(blocker, blocks=self.issue(blocker).blocks + [blocked])

    def link_relates(self, key: str, other: str) -> None:
        self.store.change(key, relates=self.issue(key).relates + [other])

    def linear_entities(self, kind: str) -> list[dict]:
        """Initiatives, projects, attachments, projectUpdates... created through Linear."""
        return [e for e in self.store.linear_entities.values() if e["__kind"] == kind]
