"""The small JQL subset the simulated Jira understands (what the connectors and tests send)."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Callable

from tests.simtracker.data import SimIssue

Predicate = Callable[[SimIssue], bool]
STRING = r'"((?:[^"\\]|\\.)*)"|([\w.-]+)'


class JqlError(ValueError):
    """JQL the simulator does not understand (Jira would answer 400)."""


def _value(match: re.Match, first: int) -> str:
    quoted, bare = match.group(first), match.group(first + 1)
    return (quoted.replace('\\"', '"').replace("\\\\", "\\")) if quoted is not None else bare


def _values(listing: str) -> list[str]:
    return [_value(m, 1) for m in re.finditer(STRING, listing)]


def _updated(op: str, stamp: str) -> Predicate:
    moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
    compare = {">=": lambda a: a >= moment, ">": lambda a: a > moment,
               "<=": lambda a: a <= moment, "<": lambda a: a < moment}[op]
    # JQL compares at minute precision: an issue's time is truncated before comparing.
    return lambda i: compare(i.updated.replace(second=0, microsecond=0))


def _clause(text: str, linked: dict[str, set[str]]) -> Predicate:
    text = text.strip()
    if m := re.fullmatch(r"updated\s*(>=|<=|>|<)\s*" + STRING, text, re.I):
        return _updated(m.group(1), _value(m, 2))
    if m := re.fullmatch(r"(?:issue|key)\s+in\s+linkedIssues\(\s*(?:" + STRING + r")\s*\)", text, re.I):
        neighbours = linked.get(_value(m, 1), set())
        return lambda i: i.key in neighbours
    if m := re.fullmatch(r"(?:issue|key)\s+in\s*\((.*)\)", text, re.I):
        wanted = set(_values(m.group(1)))
        return lambda i: i.key in wanted or i.jira_id in wanted
    if m := re.fullmatch(r'(issue|key|parent|labels|project|"Epic Link")\s*=\s*(?:' + STRING + ")", text, re.I):
        return _equals(m.group(1).lower().strip('"'), _value(m, 2))
    raise JqlError(f"the simulator does not understand the JQL clause {text!r}")


def _equals(field: str, value: str) -> Predicate:
    if field in ("issue", "key"):
        return lambda i: value in (i.key, i.jira_id)
    if field in ("parent", "epic link"):
        return lambda i: i.epic_key == value
    if field == "labels":
        return lambda i: value in i.labels
    return lambda i: i.key.startswith(value + "-")


def link_index(issues: list[SimIssue]) -> dict[str, set[str]]:
    """Key -> keys linked to it in either direction (relates or blocks)."""
    linked: dict[str, set[str]] = {}
    for issue in issues:
        for other in issue.relates + issue.blocks:
            linked.setdefault(issue.key, set()).add(other)
            linked.setdefault(other, set()).add(issue.key)
    return linked


def parse(jql: str, linked: dict[str, set[str]]) -> tuple[Predicate, str, bool]:
    """(predicate, order field, descending) for a JQL string."""
    order_field, descending = "key", False
    if m := re.search(r"\s*ORDER\s+BY\s+(\w+)(?:\s+(ASC|DESC))?\s*$", jql, re.I):
        order_field, descending = m.group(1).lower(), (m.group(2) or "").upper() == "DESC"
        jql = jql[:m.start()]
    predicates = [_clause(part, linked) for part in re.split(r"\s+AND\s+", jql, flags=re.I) if part.strip()]
    return (lambda i: all(p(i) for p in predicates)), order_field, descending


def search(issues: list[SimIssue], jql: str) -> list[SimIssue]:
    """Issues matching `jql`, in its order (ties broken by issue number)."""
    linked = link_index(issues) if "linkedissues" in jql.lower() else {}
    predicate, order_field, descending = parse(jql, linked)
    found = [i for i in issues if predicate(i)]
    if order_field == "updated":
        found.sort(key=lambda i: (i.updated, i.number), reverse=descending)
    else:  # key, created and id all follow the issue number here
        found.sort(key=lambda i: i.number, reverse=descending)
    return found
