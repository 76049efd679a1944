"""SimTracker: a local HTTP server speaking the Jira REST and Linear GraphQL subset okrsync uses."""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

from tests.simtracker.data import IssueStore, SimIssue
from tests.simtracker.jira_api import JiraApi, issue_json
from tests.simtracker.handler import make_handler
from tests.simtracker.linear_api import LinearApi
from tests.simtracker.linear_webhooks import PERSON, entity_payload

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
                 latency_ms: float = 0.0, seed: int = 7, projects: int = 1):
        self.store = IssueStore(projects=projects)
        self.store.seed(issues, seed)
        self.jira = JiraApi(self.store, page_size, denied_permissions=set())
        self.linear = LinearApi(self.store, linear_page_size)
        self.latency_ms = latency_ms
        self.slow_seconds = 2.0
        self.rate_limit_wait_seconds = 1.0
        self.auth_ok = True
        self.calls: list[SimCall] = []
        self._faults: deque[str] = deque()
        self._limit: tuple[int, float] | None = None
        self._recent: deque[float] = deque()
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
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True, name="simtracker").start()
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

    def rate_limit(self, max_requests: int | None, per_seconds: float = 1.0) -> None:
        """Answer 429 / RATELIMITED once more than `max_requests` arrive within `per_seconds`."""
        with self._lock:
            self._limit = (max_requests, per_seconds) if max_requests else None
            self._recent.clear()
            self.rate_limit_wait_seconds = per_seconds

    def over_rate_limit(self) -> bool:
        """Count this request in the sliding window; True when it exceeds the limit."""
        with self._lock:
            if self._limit is None:
                return False
            max_requests, window = self._limit
            now = time.monotonic()
            while self._recent and now - self._recent[0] >= window:
                self._recent.popleft()
            if len(self._recent) >= max_requests:
                return True
            self._recent.append(now)
            return False

    def deny_permission(self, permission: str) -> None:
        """Make Jira's /mypermissions report `permission` as missing."""
        self.jira.denied_permissions.add(permission)

    @property
    def call_count(self) -> int:
        """How many requests arrived (faulted ones included)."""
        return len(self.calls)

    def reset_calls(self) -> None:
        """Forget the calls recorded so far."""
        with self._lock:
            self.calls.clear()

    def next_fault(self) -> str | None:
        """Pop the next injected fault, if any."""
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def record(self, method: str, path: str, operation: str | None, status: int, fault: str | None) -> None:
        """Append one call to `calls`."""
        with self._lock:
            self.calls.append(SimCall(method, path, operation, status, fault))

    # -- issue mutations (each bumps the issue's updated time) -------------------------------

    def issue(self, key: str) -> SimIssue:
        """The stored issue (deleted ones too)."""
        return self.store.issues[key]

    def keys(self) -> list[str]:
        """Keys of the issues that are not deleted."""
        return [i.key for i in self.store.live()]

    def set_state(self, key: str, state: str) -> SimIssue:
        """Move an issue to todo / in_progress / done / canceled."""
        return self.store.change(key, state=state)

    def resolve(self, key: str, resolution: str, state: str = "done") -> SimIssue:
        """Close an issue in the done category with a Jira resolution (Duplicate, Won't Do...)."""
        return self.store.change(key, state=state, resolution=resolution)

    def set_done(self, key: str) -> SimIssue:
        """Move an issue to done."""
        return self.store.change(key, state="done")

    def move_to_epic(self, key: str, epic_key: str | None) -> SimIssue:
        """Put an issue under another epic (Linear: project)."""
        return self.store.change(key, epic_key=epic_key)

    def move_out_of_epic(self, key: str) -> SimIssue:
        """Take an issue out of its epic (Linear: project)."""
        return self.store.change(key, epic_key=None)

    def relabel(self, key: str, labels: list[str]) -> SimIssue:
        """Replace an issue's labels."""
        return self.store.change(key, labels=list(labels))

    def set_points(self, key: str, points: float | None) -> SimIssue:
        """Change an issue's estimate."""
        return self.store.change(key, points=points)

    def delete(self, key: str) -> SimIssue:
        """Delete an issue (Jira: gone; Linear: trashed, still listed with archivedAt)."""
        return self.store.change(key, deleted=True)

    def delete_project(self, project: str) -> None:
        """Delete a Jira project: it goes to the trash with its issues, and JQL naming it is refused."""
        self.store.trash_project(project)

    def restore_project(self, project: str) -> None:
        """Restore a deleted project and its issues from the trash."""
        self.store.trash_project(project, trashed=False)

    def add_comment(self, key: str, body: str):
        """Add a comment as user-1."""
        return self.store.add_comment(key, body)

    def add_issue(self, title: str, state: str = "todo", epic_key: str | None = None, **extra) -> SimIssue:
        """Create a new issue with the next key."""
        return self.store.create(title=title, state=state, epic_key=epic_key, **extra)

    def link_blocks(self, blocker: str, blocked: str) -> None:
        """Add a "blocks" link from `blocker` to `blocked`."""
        self.store.change(blocker, blocks=self.issue(blocker).blocks + [blocked])

    def link_relates(self, key: str, other: str) -> None:
        """Add a "relates to" link (found by linkedIssues())."""
        self.store.change(key, relates=self.issue(key).relates + [other])

    def jira_issue(self, key: str, cloud: bool = True) -> dict:
        """The issue as Jira's REST API serialises it (all fields), e.g. for webhook payloads."""
        with self.store.lock:
            return issue_json(self.issue(key), self.store, None, cloud)

    def linear_issue(self, key: str) -> dict:
        """The issue as a Linear Issue node (WorkItemFields), e.g. for webhook payloads."""
        with self.store.lock:
            return self.linear.issue_node(self.issue(key))

    def linear_issue_webhook(self, key: str, by: dict | None = None) -> dict:
        """The Issue.update body Linear sends after a change `by` a user (default: a person)."""
        with self.store.lock:
            data = self.linear.issue_data(self.issue(key))
        return entity_payload("Issue", "update", data, by or PERSON, {"updatedAt": data["updatedAt"]})

    @property
    def linear_webhooks(self) -> list[dict]:
        """Bodies Linear would have sent for the writes made through the API, oldest first."""
        return self.linear.outbox

    def linear_entities(self, kind: str) -> list[dict]:
        """Initiatives, projects, attachments, projectUpdates... created through Linear."""
        return [e for e in self.store.linear_entities.values() if e["__kind"] == kind]
