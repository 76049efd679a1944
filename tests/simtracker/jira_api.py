"""The Jira REST v3 (Cloud) and v2 (Data Center) subset the simulator answers."""
from __future__ import annotations

import base64
import re

from tests.simtracker import jql
from tests.simtracker.data import IssueStore, SimComment, SimIssue

# Canceled work sits in the done category; only its resolution ("Won't Do") tells it apart.
JIRA_STATES = {"todo": ("To Do", "new"), "in_progress": ("In Progress", "indeterminate"),
               "done": ("Done", "done"), "canceled": ("Done", "done")}
POINTS_FIELD = "customfield_10016"      # "Story Points" (company-managed projects)
ESTIMATE_FIELD = "customfield_10034"    # "Story point estimate" (team-managed projects)
EPIC_LINK_FIELD = "customfield_10014"   # Data Center only
ALL_FIELDS = ("summary", "status", "resolution", "updated", "parent", "labels", "assignee", "issuetype",
              "issuelinks", "comment", "description", POINTS_FIELD, ESTIMATE_FIELD, EPIC_LINK_FIELD)
FIELDS = [{"id": "summary", "name": "Summary", "custom": False},
          {"id": "status", "name": "Status", "custom": False},
          {"id": "resolution", "name": "Resolution", "custom": False},
          {"id": "customfield_10020", "name": "Sprint", "custom": True},
          {"id": POINTS_FIELD, "name": "Story Points", "custom": True},
          {"id": ESTIMATE_FIELD, "name": "Story point estimate", "custom": True},
          {"id": EPIC_LINK_FIELD, "name": "Epic Link", "custom": True}]
# https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/ (POST /search/jql):
# SearchAndReconcileRequestBean has additionalProperties false.
SEARCH_JQL_KEYS = {"expand", "fields", "fieldsByKeys", "jql", "maxResults", "nextPageToken",
                   "properties", "reconcileIssues"}
BULKFETCH_MAX = 100
Answer = tuple[int, object]


def jira_time(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _text(body, cloud: bool):
    if not cloud:
        return body
    return {"type": "doc", "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": body}]}]}


def _user(account: str | None, cloud: bool):
    if account is None:
        return None
    return {"accountId": account} if cloud else {"name": account, "key": account}


def _links(issue: SimIssue, store: IssueStore) -> list[dict]:
    links = []
    for key in issue.blocks:
        if (other := store.issues.get(key)) and not other.deleted:
            links.append({"type": {"name": "Blocks"}, "outwardIssue": {"id": other.jira_id, "key": key}})
    for other in store.blocked_by(issue.key):
        links.append({"type": {"name": "Blocks"}, "inwardIssue": {"id": other.jira_id, "key": other.key}})
    return links


def issue_json(issue: SimIssue, store: IssueStore, fields, cloud: bool) -> dict:
    """An issue as Jira serialises it, with only the fields asked for."""
    name, category = JIRA_STATES[issue.state]
    wanted = set(ALL_FIELDS if not fields or "*all" in fields else fields)
    values = {
        "summary": lambda: issue.title,
        "status": lambda: {"name": name, "statusCategory": {"key": category}},
        "resolution": lambda: {"name": issue.jira_resolution} if issue.jira_resolution else None,
        "updated": lambda: jira_time(issue.updated),
        "parent": lambda: ({"key": issue.epic_key, "id": store.issues[issue.epic_key].jira_id}
                           if issue.epic_key and cloud else None),
        EPIC_LINK_FIELD: lambda: None if cloud else issue.epic_key,
        "labels": lambda: list(issue.labels),
        "assignee": lambda: _user(issue.assignee, cloud),
        "issuetype": lambda: {"name": issue.issuetype},
        "issuelinks": lambda: _links(issue, store),
        "comment": lambda: {"comments": [comment_json(c, cloud) for c in issue.comments],
                            "startAt": 0, "maxResults": len(issue.comments), "total": len(issue.comments)},
        "description": lambda: issue.description,
        POINTS_FIELD: lambda: None if issue.team_managed else issue.points,
        ESTIMATE_FIELD: lambda: issue.points if issue.team_managed else None,
    }
    out = {name: make() for name, make in values.items() if name in wanted}
    if out.get("parent") is None:
        out.pop("parent", None)
    if cloud:
        out.pop(EPIC_LINK_FIELD, None)
    return {"id": issue.jira_id, "key": issue.key, "fields": out}


def comment_json(comment: SimComment, cloud: bool) -> dict:
    stamp = jira_time(comment.created)
    return {"id": str(comment.number), "body": _text(comment.body, cloud),
            "author": _user(comment.author, cloud), "created": stamp, "updated": stamp}


SIM_CLOUD_ID = "5f1c2d3e-0000-4000-8000-51m7racce200"


class JiraApi:
    """Routes one Jira request to an answer (status, JSON)."""

    def __init__(self, store: IssueStore, page_size: int, denied_permissions: set[str],
                 time_zone: str = "America/Los_Angeles"):
        self.store = store
        self.page_size = page_size
        self.denied_permissions = denied_permissions
        self.cloud_id = SIM_CLOUD_ID
        # The API user's profile zone: /myself reports it and JQL dates are read in it.
        self.time_zone = time_zone
        self._searches: dict = {}

    def handle(self, method: str, path: str, query: dict, body) -> Answer:
        if path == "/_edge/tenant_info" and method == "GET":
            # https://support.atlassian.com/jira/kb/retrieve-my-atlassian-sites-cloud-id
            return 200, {"cloudId": self.cloud_id}
        m = re.fullmatch(r"/rest/api/(2|3)(/.*)", path)
        if not m:
            return 404, {"errorMessages": [f"no route {path}"]}
        cloud, rest = m.group(1) == "3", m.group(2)
        params = dict(query)
        if isinstance(body, dict):
            params.update(body)
        try:
            return self._route(method, rest, params, cloud)
        except jql.JqlError as bad:
            return 400, {"errorMessages": [str(bad)]}
        except (KeyError, ValueError, TypeError) as bad:
            return 400, {"errorMessages": [f"bad request: {bad!r}"]}

    def _route(self, method: str, rest: str, params: dict, cloud: bool) -> Answer:
        if rest == "/myself" and method == "GET":
            return 200, {"accountId": "sim-bot", "name": "sim-bot", "displayName": "Sim Bot",
                         "timeZone": self.time_zone}
        if rest == "/mypermissions" and method == "GET":
            wanted = params.get("permissions", "").split(",")
            return 200, {"permissions": {p: {"key": p, "havePermission": p not in self.denied_permissions}
                                         for p in wanted if p}}
        if rest == "/field" and method == "GET":
            return 200, FIELDS
        if rest == "/search/jql" and cloud:
            return self._search_token(params)
        if rest == "/search" and not cloud:
            return self._search_offset(params)
        if rest == "/issue/bulkfetch" and method == "POST" and cloud:
            return self._bulkfetch(params)
        if rest == "/project/search" and method == "GET":
            return self._project_search(params)
        if (m := re.fullmatch(r"/project/([^/]+)", rest)) and method == "GET":
            if m.group(1) not in self.store.existing_projects():
                return 404, {"errorMessages": [f"No project could be found with key '{m.group(1)}'."]}
            return 200, {"id": str(10000 + self.store.projects.index(m.group(1))), "key": m.group(1)}
        if rest == "/issue" and method == "POST":
            return self._create(params["fields"])
        if m := re.fullmatch(r"/issue/([^/]+)", rest):
            return self._issue(method, m.group(1), params, cloud)
        if (m := re.fullmatch(r"/issue/([^/]+)/comment/([^/]+)", rest)) and method == "DELETE":
            return self._delete_comment(m.group(1), m.group(2))
        if m := re.fullmatch(r"/issue/([^/]+)/comment", rest):
            return self._comments(method, m.group(1), params, cloud)
        return 404, {"errorMessages": [f"no route {method} {rest}"]}

    def _matches(self, params: dict, cloud: bool) -> list[SimIssue]:
        query = params.get("jql", "")
        # Data Center's /search may be told validateQuery=warn: unknown keys become warnings.
        strict = cloud or str(params.get("validateQuery", "strict")).lower() in ("strict", "true")
        return self.store.cached(self._searches, (query, cloud, strict, self.time_zone), lambda: jql.search(
            self.store.live(), query, self.time_zone, require_bound=cloud, strict_keys=strict,
            projects=self.store.existing_projects()))

    def _fields(self, params: dict):
        fields = params.get("fields")
        return fields.split(",") if isinstance(fields, str) else fields

    def _search_token(self, params: dict) -> Answer:
        unknown = sorted(set(params) - SEARCH_JQL_KEYS)
        if unknown:
            return 400, {"errorMessages": [f"Unrecognized field {unknown[0]!r}"]}
        token = params.get("nextPageToken")
        start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
        size = min(int(params.get("maxResults", 50)), self.page_size)
        with self.store.lock:
            found = self._matches(params, True)
            page = found[start:start + size]
            issues = [issue_json(i, self.store, self._fields(params), True) for i in page]
        answer = {"issues": issues, "isLast": start + size >= len(found)}
        if not answer["isLast"]:
            answer["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return 200, answer

    def _search_offset(self, params: dict) -> Answer:
        start = int(params.get("startAt", 0))
        size = min(int(params.get("maxResults", 50)), self.page_size)
        with self.store.lock:
            found = self._matches(params, False)
            issues = [issue_json(i, self.store, self._fields(params), False) for i in found[start:start + size]]
        return 200, {"startAt": start, "maxResults": size, "total": len(found), "issues": issues}

    def _project_search(self, params: dict) -> Answer:
        """GET /project/search?keys=A&keys=B: the projects of those keys the user can browse, 404
        when none (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/
        #api-rest-api-3-project-search-get: "Up to 50 project keys"; "404 ... no projects
        matching the search criteria are found")."""
        keys = params.get("keys", [])
        keys = [keys] if isinstance(keys, str) else list(keys)
        if len(keys) > 50:
            return 400, {"errorMessages": ["Up to 50 project keys can be provided."]}
        existing = self.store.existing_projects()
        found = [k for k in self.store.projects if k in existing and (not keys or k in keys)]
        if not found:
            return 404, {"errorMessages": ["No projects found."]}
        values = [{"id": str(10000 + self.store.projects.index(k)), "key": k, "name": f"Project {k}"}
                  for k in found]
        return 200, {"startAt": 0, "maxResults": 50, "total": len(values), "isLast": True,
                     "values": values}

    def _bulkfetch(self, params: dict) -> Answer:
        """POST /issue/bulkfetch: up to 100 ids or keys; unknown ones are simply left out."""
        wanted = params.get("issueIdsOrKeys")
        if not isinstance(wanted, list) or not wanted or len(wanted) > BULKFETCH_MAX:
            return 400, {"errorMessages": ["Provide between 1 and 100 issue ids or keys."]}
        with self.store.lock:
            found = {issue.number: issue for ref in wanted
                     if (issue := self.store.get(str(ref))) is not None and not issue.deleted}
            # Issues come back in ascending id order; ones not found are in neither list.
            issues = [issue_json(found[n], self.store, self._fields(params), True) for n in sorted(found)]
        return 200, {"issues": issues, "issueErrors": []}

    def _create(self, fields: dict) -> Answer:
        issue = self.store.create(
            title=fields["summary"], state="todo", issuetype=fields["issuetype"]["name"],
            labels=list(fields.get("labels", [])), description=fields.get("description"),
            epic_key=(fields.get("parent") or {}).get("key") or fields.get(EPIC_LINK_FIELD))
        return 201, {"id": issue.jira_id, "key": issue.key, "self": f"/rest/api/3/issue/{issue.jira_id}"}

    def _issue(self, method: str, ref: str, params: dict, cloud: bool) -> Answer:
        issue = self.store.get(ref)
        if issue is None or issue.deleted:
            return 404, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}
        if method == "GET":
            return 200, issue_json(issue, self.store, self._fields(params), cloud)
        if method == "PUT":
            fields = params.get("fields", {})
            renames = {"summary": "title", "description": "description", "labels": "labels"}
            self.store.change(issue.key, **{renames[k]: v for k, v in fields.items() if k in renames})
            return 204, None
        return 405, {"errorMessages": [f"{method} not allowed"]}

    def _comments(self, method: str, ref: str, params: dict, cloud: bool) -> Answer:
        issue = self.store.get(ref)
        if issue is None or issue.deleted:
            return 404, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}
        if method == "POST":
            body = params["body"]
            text = body if isinstance(body, str) else " ".join(
                n.get("text", "") for p in body.get("content", []) for n in p.get("content", []))
            return 201, comment_json(self.store.add_comment(issue.key, text), cloud)
        start = int(params.get("startAt", 0))
        size = min(int(params.get("maxResults", 50)), self.page_size)
        page = issue.comments[start:start + size]
        return 200, {"startAt": start, "maxResults": size, "total": len(issue.comments),
                     "comments": [comment_json(c, cloud) for c in page]}

    def _delete_comment(self, ref: str, comment_id: str) -> Answer:
        """DELETE /issue/{issueIdOrKey}/comment/{id}: 204, or 404 for an unknown issue or comment."""
        issue = self.store.get(ref)
        kept = [c for c in issue.comments if str(c.number) != comment_id] if issue else []
        if issue is None or issue.deleted or len(kept) == len(issue.comments):
            return 404, {"errorMessages": ["Can not find a comment for the id."]}
        self.store.change(issue.key, comments=kept)
        return 204, None
