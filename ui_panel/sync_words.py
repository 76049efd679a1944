"""A reconcile pass in words for the sync pages and /admin: the stored counts' names, the pass kind
and the tracker's value never reach a page as they are stored."""
from __future__ import annotations

import re

from okr_core.wording import counted
from sync.ingest.link_preview import known_error_words

TRACKER_NAMES = {"jira": "Jira", "linear": "Linear"}
PASS_KINDS = {"full": "Full pass", "incremental": "Changes since the last pass"}

# Counts worth a reader's eye, in reading order, said for one and for more; zeros are left out.
COUNT_WORDS = (
    ("items_read", "work item read", "work items read"),
    ("items_changed", "changed", "changed"),
    ("deleted", "deleted in the tracker", "deleted in the tracker"),
    ("scopes_resolved", "linked epic, project or search read", "linked epics, projects or searches read"),
    ("key_results_recounted", "key result recounted", "key results recounted"),
    ("key_results_moved", "key result moved", "key results moved"),
    ("mirrors_created", "mirror created", "mirrors created"),
    ("duplicates", "duplicate skipped", "duplicates skipped"),
    ("stale", "older copy skipped", "older copies skipped"),
    ("rewalks", "read repeated because work changed meanwhile",
     "reads repeated because work changed meanwhile"),
    ("discussion_calls", "comment read", "comment reads"),
)
SECONDS = ("seconds_items", "seconds_recount")
PENDING, SPLIT = "pending_key_results", "split"
PROJECTS_MISSING = "projects_missing"
UNEXPECTED = "okrsync stopped on a problem it did not expect; the worker log has the details."
SPLIT_PART = re.compile(r"^part (\S+): ")


def tracker_name(tracker) -> str:
    value = getattr(tracker, "value", tracker)
    return TRACKER_NAMES.get(value, str(value).capitalize())


def pass_kind(kind: str | None) -> str:
    return PASS_KINDS.get(kind or "", "Pass")


def pass_counts(counts: dict | None) -> list[str]:
    """One short line per figure worth showing, e.g. "1,200 work items read"."""
    counts = counts or {}
    lines = [counted(counts[key], one, many) for key, one, many in COUNT_WORDS
             if isinstance(counts.get(key), int) and counts[key]]
    seconds = sum(counts.get(key) or 0 for key in SECONDS if isinstance(counts.get(key), (int, float)))
    if seconds:
        lines.append(f"took {seconds:,.1f} s")
    if counts.get(PROJECTS_MISSING):
        lines.append("projects the tracker no longer has: " + ", ".join(map(str, counts[PROJECTS_MISSING])))
    if counts.get(PENDING):
        lines.append(f"{counted(len(counts[PENDING]), 'key result')} waiting to be recounted")
    split = counts.get(SPLIT)
    if isinstance(split, dict) and isinstance(split.get("parts"), dict):
        states = [part.get("state") for part in split["parts"].values() if isinstance(part, dict)]
        lines.append(f"split in {len(states)} parts: {states.count('done')} done, "
                     f"{states.count('failed')} failed, {len(states) - states.count('done') - states.count('failed')} to go")
    return lines


def failure_words(stored: str | None) -> str:
    """A stored failure ("TrackerUnavailable: 503", the exception's class then its message) in
    words for the sync pages and /admin; a split pass's parts ("part ENG: ...; part WEB: ...")
    each say which part failed. Empty when nothing failed."""
    sentences = []
    for failure in filter(None, (stored or "").split("; ")):
        part = SPLIT_PART.match(failure)
        words = known_error_words(failure[part.end():] if part else failure) or UNEXPECTED
        sentence = f"Part {part.group(1)}: {words}" if part else words
        if sentence not in sentences:
            sentences.append(sentence)
    return " ".join(sentences)


PAST_TENSE = {"create": "created", "update": "updated", "remove": "removed"}


def event_words(event_type: str | None) -> str:
    """A webhook event's stored type in words: "jira:issue_updated" and Linear's "Issue.update"
    both read "Issue updated"."""
    name = (event_type or "").removeprefix("jira:")
    thing, _, action = name.partition(".")
    words = f"{re.sub(r'(?<=[a-z])(?=[A-Z])', ' ', thing)} {PAST_TENSE.get(action, action)}" \
        if action else name.replace("_", " ")
    words = words.strip().lower()
    return words[:1].upper() + words[1:] if words else "Unknown event"
