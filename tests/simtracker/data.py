"""The simulated tracker's issue store: one set of issues seen through Jira and Linear eyes."""
from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

NAMESPACE = uuid.UUID("0d6c3f5e-64a4-4b7a-9a53-5e5f8a9b3c11")
STATES = ("todo", "in_progress", "done", "canceled")
EPIC_EVERY = 50          # every 50th issue is an epic; the others mostly belong to one
LABELS = ("backend", "frontend", "p1", "customer", "tech-debt")
POINTS = (1.0, 2.0, 3.0, 5.0, 8.0, None)
BLOCKER_COMMENTS = ("Blocked: waiting on design specs", "No longer blocked, thanks", "Looks good")
SEED_START = datetime(2026, 10, 1, tzinfo=timezone.utc)


def seed_start(count: int) -> datetime:
    """When the first seeded issue was updated: SEED_START, or earlier when `count` issues a minute
    apart would otherwise reach past now (a tracker holds no issue updated in the future, and a
    pass that sees one keeps re-reading its window)."""
    latest = datetime.now(timezone.utc) - timedelta(days=1)
    return min(SEED_START, latest - timedelta(minutes=count + 1))


def stable_uuid(name: str) -> str:
    """Deterministic UUID standing in for a Linear id."""
    return str(uuid.uuid5(NAMESPACE, name))


@dataclass
class SimComment:
    number: int
    body: str
    author: str
    created: datetime


@dataclass
class SimIssue:
    """One issue; Jira sees `jira_id`/`key`, Linear `linear_id`/`key` as identifier."""

    number: int
    key: str
    title: str
    state: str
    updated: datetime
    issuetype: str = "Task"
    points: float | None = None
    epic_key: str | None = None
    labels: list[str] = field(default_factory=list)
    assignee: str | None = None
    description: object = None
    comments: list[SimComment] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)      # keys this issue blocks
    relates: list[str] = field(default_factory=list)     # keys linked with "relates to"
    deleted: bool = False
    resolution: str | None = None   # Jira: None means the state's default (Done / Won't Do)
    team_managed: bool = False      # Jira: points in "Story point estimate", not "Story Points"

    @property
    def jira_resolution(self) -> str | None:
        """Jira's resolution: set only in the done category; canceled work is "Won't Do"."""
        if self.state == "done":
            return self.resolution or "Done"
        if self.state == "canceled":
            return self.resolution or "Won't Do"
        return None

    @property
    def jira_id(self) -> str:
        return str(10000 + self.number)

    @property
    def linear_id(self) -> str:
        return stable_uuid("issue:" + self.key)


class IssueStore:
    """Thread-safe issues, projects and initiatives, with a clock that never repeats a timestamp."""

    def __init__(self, project: str = "SIM", projects: int = 1):
        self.project = project
        # More than one project: SIM, SIM2, SIM3... each holding whole epics (an epic and the
        # issues after it), in turn; keys keep their number (SIM2-51), as a moved issue would.
        self.projects = [project] + [f"{project}{n}" for n in range(2, projects + 1)]
        self.trashed_projects: set[str] = set()   # deleted projects (Jira keeps them in its trash)
        self.lock = threading.RLock()
        self.issues: dict[str, SimIssue] = {}
        self.linear_entities: dict[str, dict] = {}   # initiatives, projects, updates, attachments by id
        self._last_time = SEED_START
        self._comment_numbers = 0
        self.version = 0          # bumped on every change, so searches can be cached between changes
        self._indexes: dict = {}

    def seed(self, count: int, seed: int = 7) -> None:
        """Create `count` issues with epics, labels, points, states, comments and blocking links."""
        rng = random.Random(seed)
        epic = None
        start = seed_start(count)
        for number in range(1, count + 1):
            key = self.seeded_key(number)
            is_epic = number % EPIC_EVERY == 1
            issue = SimIssue(
                number=number, key=key, title=f"Issue {number}", state=rng.choice(STATES),
                updated=start + timedelta(minutes=number), issuetype="Epic" if is_epic else "Task",
                points=None if is_epic else rng.choice(POINTS),
                epic_key=None if is_epic or rng.random() < 0.2 else epic,
                labels=rng.sample(LABELS, rng.randint(0, 2)), assignee=f"user-{number % 7}",
                team_managed=number % 2 == 0,
            )
            if is_epic:
                epic = key
            if number % 7 == 0 and number > 1:
                issue.blocks.append(self.seeded_key(number - 1))
            for _ in range(number % 4 if number % 3 == 0 else 0):
                issue.comments.append(self._new_comment(rng.choice(BLOCKER_COMMENTS), issue.updated))
            self.issues[key] = issue
        self._last_time = start + timedelta(minutes=count + 1)

    def seeded_key(self, number: int) -> str:
        """The key of the seeded issue of this number (its epic's project)."""
        return f"{self.projects[(number - 1) // EPIC_EVERY % len(self.projects)]}-{number}"

    def _new_comment(self, body: str, created: datetime) -> SimComment:
        self._comment_numbers += 1
        return SimComment(self._comment_numbers, body, "user-1", created)

    def tick(self) -> datetime:
        """Now, or one millisecond after the previous tick, whichever is later."""
        with self.lock:
            self.version += 1
            self._last_time = max(datetime.now(timezone.utc), self._last_time + timedelta(milliseconds=1))
            return self._last_time

    def live(self) -> list[SimIssue]:
        """Issues that are not deleted."""
        with self.lock:
            return [i for i in self.issues.values() if not i.deleted]

    def get(self, key_or_id: str) -> SimIssue | None:
        """Find by Jira key, Jira id or Linear id."""
        with self.lock:
            if key_or_id in self.issues:
                return self.issues[key_or_id]
            return self.cached(self._indexes, "ids", self._by_id).get(key_or_id)

    def _by_id(self) -> dict[str, SimIssue]:
        return {ref: issue for issue in self.issues.values() for ref in (issue.jira_id, issue.linear_id)}

    def blocked_by(self, key: str) -> list[SimIssue]:
        """Live issues that block `key` (one index per store version)."""
        def index():
            found: dict[str, list[SimIssue]] = {}
            for issue in self.live():
                for blocked in issue.blocks:
                    found.setdefault(blocked, []).append(issue)
            return found
        with self.lock:
            return self.cached(self._indexes, "blocked_by", index).get(key, [])

    def change(self, key: str, **changes) -> SimIssue:
        """Apply attribute changes to an issue and bump its updated time."""
        with self.lock:
            issue = self.issues[key]
            for name, value in changes.items():
                setattr(issue, name, value)
            issue.updated = self.tick()
            return issue

    def existing_projects(self) -> set[str]:
        """Project keys the API user can browse: every project but those in the trash."""
        with self.lock:
            return set(self.projects) - self.trashed_projects

    def trash_project(self, project: str, trashed: bool = True) -> None:
        """Move a project and its issues to the trash, or (`trashed` False) restore them."""
        with self.lock:
            if trashed:
                self.trashed_projects.add(project)
            else:
                self.trashed_projects.discard(project)
            for issue in [i for i in self.issues.values() if i.key.startswith(project + "-")]:
                self.change(issue.key, deleted=trashed)
            self.tick()

    def create(self, **attributes) -> SimIssue:
        """A new issue with the next number."""
        with self.lock:
            number = max((i.number for i in self.issues.values()), default=0) + 1
            key = f"{self.project}-{number}"
            issue = SimIssue(number=number, key=key, updated=self.tick(), **attributes)
            self.issues[key] = issue
            return issue

    def add_comment(self, key: str, body: str) -> SimComment:
        """Append a comment to an issue."""
        with self.lock:
            comment = self._new_comment(body, self.tick())
            self.change(key, comments=self.issues[key].comments + [comment])
            return comment

    def cached(self, cache: dict, key: str, compute):
        """compute() once per store version and key; pages of one search share the result."""
        with self.lock:
            stamp = (self.version, key)
            if stamp not in cache:
                if len(cache) > 64:
                    cache.clear()
                cache[stamp] = compute()
            return cache[stamp]

    def project_id(self, epic_key: str | None) -> str | None:
        """The Linear project standing for a Jira epic."""
        return stable_uuid("project:" + epic_key) if epic_key else None

    def initiative_id(self, epic_key: str) -> str:
        """Epics are grouped five to an initiative."""
        return stable_uuid(f"initiative:{int(epic_key.rsplit('-', 1)[1]) // (EPIC_EVERY * 5)}")
