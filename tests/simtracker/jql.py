"""The JQL subset the simulated Jira understands, refusing what Jira Cloud refuses.

Grammar: clauses joined by AND / OR / NOT with parentheses, then `ORDER BY field [ASC|DESC]`.
Clauses: `updated >=|>|<=|< "yyyy-MM-dd HH:mm"`, `issue|key = X`, `issue|key in (...)`,
`issue in linkedIssues(X)`, `parent|project|labels|"Epic Link" = X` or `in (...)`.

Refusals, as Jira answers them (400):
- a key or id in `issue|key|parent = X` / `in (...)` that does not exist rejects the whole query
  ("An issue with key 'X' does not exist for field 'parent'."), unless the caller asked for
  `validateQuery: warn` (Data Center /search);
- a project in `project = X` / `in (...)` that does not exist (or is in the trash) rejects it too:
  "The value 'X' does not exist for the field 'project'." (the wording of the `project = INVALID`
  example of POST /rest/api/3/jql/parse, https://developer.atlassian.com/cloud/jira/platform/rest/v3/
  api-group-jql/#api-rest-api-3-jql-parse-post, which a search answers 400 with);
- dates are read in the searching user's time zone (`GET /myself` timeZone), at minute precision:
  https://support.atlassian.com/jira-software-cloud/docs/jql-fields/#Updated
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from tests.simtracker.data import SimIssue

Predicate = Callable[[SimIssue], bool]
TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<op>>=|<=|!=|=|>|<)|(?P<punct>[(),])'
                   r'|(?P<word>[\w.\-]+))')
FIELDS = {"updated", "issue", "key", "parent", "labels", "project", "epic link"}
LIST_FIELDS = FIELDS - {"updated"}
# Fields whose values name issues: a key or id that does not exist refuses the whole query. For
# `parent`, Atlassian's own JQL test (TestClausesDependentOnProperties.testSubTaskClausesInvalid):
# `parent = 'HSP-1'` -> "An issue with key 'HSP-1' does not exist for field 'parent'."
ISSUE_VALUED = ("issue", "key", "parent")


class JqlError(ValueError):
    """JQL Jira would answer 400 to."""


@dataclass
class Query:
    """A parsed search: predicate (None when unbounded), order, and the issue keys/ids it names."""

    predicate: Predicate | None
    order_field: str = "key"
    descending: bool = False
    named_issues: list[tuple[str, str]] = field(default_factory=list)   # (field, key or id)

    def unknown(self, issues: set[str], projects: set[str] | None) -> list[str]:
        """Jira's messages for the issues and projects this query names that do not exist."""
        return [f"The value '{v}' does not exist for the field 'project'." if f == "project"
                else f"An issue with key '{v}' does not exist for field '{f}'."
                for f, v in self.named_issues
                if (v not in projects if f == "project" else v not in issues)
                and (f != "project" or projects is not None)]


def _tokens(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    while at < len(text):
        m = TOKEN.match(text, at)
        if m is None:
            if text[at:].strip() == "":
                break
            raise JqlError(f"Error in the JQL Query: unexpected character at {at}")
        at = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "str":
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        out.append((kind, value))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], zone: str, linked: dict[str, set[str]]):
        self.tokens, self.at, self.zone, self.linked = tokens, 0, zone, linked
        self.named: list[tuple[str, str]] = []

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and token[1].upper() == word:
            self.at += 1
            return True
        return False

    def expect(self, value: str) -> None:
        token = self.peek()
        if token is None or token[1] != value:
            raise JqlError(f"Error in the JQL Query: expected {value!r}")
        self.at += 1

    def value(self) -> str:
        token = self.peek()
        if token is None or token[0] not in ("str", "word"):
            raise JqlError("Error in the JQL Query: expected a value")
        self.at += 1
        return token[1]

    def expression(self) -> Predicate:
        terms = [self.term()]
        while self.keyword("OR"):
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else (lambda i: any(t(i) for t in terms))

    def term(self) -> Predicate:
        factors = [self.factor()]
        while self.keyword("AND"):
            factors.append(self.factor())
        return factors[0] if len(factors) == 1 else (lambda i: all(f(i) for f in factors))

    def factor(self) -> Predicate:
        if self.keyword("NOT"):
            inner = self.factor()
            return lambda i: not inner(i)
        if self.peek() == ("punct", "("):
            self.at += 1
            inner = self.expression()
            self.expect(")")
            return inner
        return self.clause()

    def clause(self) -> Predicate:
        name = self.value().lower()
        if name not in FIELDS:
            raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")
        token = self.peek()
        if token and token[0] == "op":
            self.at += 1
            return self._compare(name, token[1], self.value())
        negate = self.keyword("NOT")
        if not self.keyword("IN") or name not in LIST_FIELDS:
            raise JqlError(f"Error in the JQL Query: unsupported operator after '{name}'")
        if self.keyword("LINKEDISSUES"):
            self.expect("(")
            neighbours = self.linked.get(self.value(), set())
            self.expect(")")
            return lambda i: (i.key in neighbours) != negate
        values = self._list()
        if name in ISSUE_VALUED or name == "project":
            self.named += [(name, v) for v in values]
        if name in ("parent", "epic link"):   # one set lookup, not a test per value (long lists)
            parents = set(values)
            return lambda i: (i.epic_key in parents) != negate
        tests = [_equals(name, v) for v in values]
        return lambda i: any(t(i) for t in tests) != negate

    def _list(self) -> list[str]:
        self.expect("(")
        values = [self.value()]
        while self.peek() == ("punct", ","):
            self.at += 1
            values.append(self.value())
        self.expect(")")
        return values

    def _compare(self, name: str, op: str, value: str) -> Predicate:
        if name == "updated":
            return _updated(op, value, self.zone)
        if op not in ("=", "!="):
            raise JqlError(f"Error in the JQL Query: operator {op!r} is not supported for '{name}'")
        if name in ISSUE_VALUED or name == "project":
            self.named.append((name, value))
        test = _equals(name, value)
        return test if op == "=" else (lambda i: not test(i))


def _updated(op: str, stamp: str, zone: str) -> Predicate:
    try:
        local = datetime.strptime(stamp, "%Y-%m-%d %H:%M")
    except ValueError:
        raise JqlError(f"Date value '{stamp}' for field 'updated' is invalid.") from None
    moment = local.replace(tzinfo=ZoneInfo(zone))
    compare = {">=": lambda a: a >= moment, ">": lambda a: a > moment,
               "<=": lambda a: a <= moment, "<": lambda a: a < moment}.get(op)
    if compare is None:
        raise JqlError(f"Error in the JQL Query: operator {op!r} is not supported for 'updated'")
    # JQL compares at minute precision in the user's zone: the issue's time is truncated first.
    return lambda i: compare(i.updated.astimezone(ZoneInfo(zone)).replace(second=0, microsecond=0))


def _equals(name: str, value: str) -> Predicate:
    if name in ("issue", "key"):
        return lambda i: value in (i.key, i.jira_id)
    if name in ("parent", "epic link"):
        return lambda i: i.epic_key == value
    if name == "labels":
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


def parse(jql: str, zone: str = "UTC", linked: dict[str, set[str]] | None = None) -> Query:
    """A Query for a JQL string; JqlError for what Jira would not parse."""
    order_field, descending = "key", False
    if m := re.search(r"\s*ORDER\s+BY\s+(\w+)(?:\s+(ASC|DESC))?\s*$", jql, re.I):
        order_field, descending = m.group(1).lower(), (m.group(2) or "").upper() == "DESC"
        jql = jql[:m.start()]
    parser = _Parser(_tokens(jql), zone, linked or {})
    if not parser.tokens:
        return Query(None, order_field, descending)
    predicate = parser.expression()
    if parser.peek() is not None:
        raise JqlError(f"Error in the JQL Query: unexpected {parser.peek()[1]!r}")
    return Query(predicate, order_field, descending, parser.named)


def search(issues: list[SimIssue], jql: str, zone: str = "UTC", require_bound: bool = True,
           strict_keys: bool = True, projects: set[str] | None = None) -> list[SimIssue]:
    """Issues matching `jql`, in its order (ties broken by issue number); `projects`, when given,
    are the project keys that exist (strict: naming another one refuses the query)."""
    linked = link_index(issues) if "linkedissues" in jql.lower() else {}
    query = parse(jql, zone, linked)
    if query.predicate is None and require_bound:
        # https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/
        # #api-rest-api-3-search-jql-post ("this parameter requires a bounded query")
        raise JqlError("Unbounded JQL queries are not allowed here. Please add a search restriction to your query.")
    if strict_keys:
        known = {i.key for i in issues} | {i.jira_id for i in issues}
        missing = query.unknown(known, projects)
        if missing:
            raise JqlError(" ".join(missing))
    found = [i for i in issues if query.predicate is None or query.predicate(i)]
    if query.order_field == "updated":
        found.sort(key=lambda i: (i.updated, i.number), reverse=query.descending)
    else:  # key, created and id all follow the issue number here
        found.sort(key=lambda i: i.number, reverse=query.descending)
    return found
