"""The Linear GraphQL operations the simulator answers, chosen by operation name and variables."""
from __future__ import annotations

import base64
import json
import re

from tests.simtracker.linear_webhooks import VIEWER, entity_payload
from tests.simtracker.data import IssueStore, SimIssue, stable_uuid
from tests.simtracker.linear_filter import matches

LINEAR_STATES = {"todo": ("Todo", "unstarted"), "in_progress": ("In Progress", "started"),
                 "done": ("Done", "completed"), "canceled": ("Canceled", "canceled")}
TEAM_ID = stable_uuid("team:SIM")   # the team of the first project's issues


def team_id(project: str) -> str:
    """The Linear team standing for a project of the store (its issues' keys start with it)."""
    return stable_uuid("team:" + project)
Answer = tuple[int, object]


def iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def operation_name(payload: dict) -> str:
    """operationName, else the first operation's name in the query text."""
    if payload.get("operationName"):
        return payload["operationName"]
    m = re.search(r"\b(?:query|mutation)\s+(\w+)", payload.get("query", ""))
    return m.group(1) if m else ""


class LinearApi:
    """Answers one GraphQL payload with (status, JSON)."""

    def __init__(self, store: IssueStore, page_size: int):
        self.store = store
        self.page_size = page_size
        self._searches: dict = {}
        self.outbox: list[dict] = []   # webhook bodies Linear would send for the writes made

    def _emit(self, kind: str, action: str, data: dict, updated_from: dict | None = None) -> None:
        self.outbox.append(entity_payload(kind, action, _public(data), VIEWER, updated_from))

    def handle(self, payload: dict) -> Answer:
        name, variables = operation_name(payload), payload.get("variables") or {}
        handler = getattr(self, "op_" + name, None)
        if handler is None:
            return 400, _error(f"the simulator does not know the operation {name!r}", "GRAPHQL_VALIDATION_FAILED")
        try:
            return 200, {"data": handler(variables)}
        except LookupError as missing:
            return 200, {"data": None, **_error(f"Entity not found: {missing}", "INVALID_INPUT")}
        except ValueError as bad:
            return 400, _error(str(bad), "INVALID_INPUT")

    # -- views -------------------------------------------------------------------------------

    def issue_view(self, issue: SimIssue) -> dict:
        name, kind = LINEAR_STATES[issue.state]
        project_id = self.store.project_id(issue.epic_key)
        project = {"id": project_id, "initiatives": [{"id": self.store.initiative_id(issue.epic_key)}]} \
            if project_id else None
        return {
            "id": issue.linear_id, "identifier": issue.key, "title": issue.title,
            "url": f"https://linear.sim/issue/{issue.key}", "updatedAt": iso(issue.updated),
            "archivedAt": iso(issue.updated) if issue.deleted else None, "trashed": issue.deleted,
            "estimate": issue.points, "state": {"name": name, "type": kind}, "project": project,
            "assignee": {"id": stable_uuid("user:" + issue.assignee)} if issue.assignee else None,
            "labels": [{"id": stable_uuid("label:" + label), "name": label} for label in issue.labels],
            "team": {"id": team_id(issue.key.rsplit("-", 1)[0])},
        }

    def issue_node(self, issue: SimIssue) -> dict:
        """An Issue node as the connector's WorkItemFields fragment selects it."""
        view = self.issue_view(issue)
        view["labels"] = {"nodes": view["labels"]}
        del view["team"]
        if view["project"]:
            view["project"] = {"id": view["project"]["id"]}
        return view

    def issue_data(self, issue: SimIssue) -> dict:
        """An Issue as a webhook's `data` carries it: ids of related objects, labels as objects."""
        view = self.issue_view(issue)
        project = view.pop("project")
        assignee = view.pop("assignee")
        team = view.pop("team")
        return {**view, "projectId": project["id"] if project else None,
                "assigneeId": assignee["id"] if assignee else None, "teamId": team["id"]}

    def _page(self, nodes: list, variables: dict) -> dict:
        after = variables.get("after")
        start = int(base64.urlsafe_b64decode(after).decode()) if after else 0
        size = min(int(variables.get("first") or 50), self.page_size)
        more = start + size < len(nodes)
        cursor = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return {"nodes": nodes[start:start + size],
                "pageInfo": {"hasNextPage": more, "endCursor": cursor if more else None}}

    def _filtered(self, variables: dict) -> list[SimIssue]:
        key = json.dumps(variables.get("filter"), sort_keys=True)
        return self.store.cached(self._searches, key, lambda: self._search(variables))

    def _search(self, variables: dict) -> list[SimIssue]:
        with self.store.lock:
            issues = list(self.store.issues.values())
            found = [i for i in issues if matches(self.issue_view(i), variables.get("filter"))]
        # orderBy: updatedAt lists the most recently updated first.
        return sorted(found, key=lambda i: (i.updated, i.number), reverse=True)

    # -- reads -------------------------------------------------------------------------------

    def op_Viewer(self, variables: dict) -> dict:
        return {"viewer": dict(VIEWER),
                "organization": {"id": stable_uuid("org"), "name": "Sim", "urlKey": "sim"},
                "teams": {"nodes": [{"id": TEAM_ID}]}}

    def op_Teams(self, variables: dict) -> dict:
        """The teams: one per project of the store (SIM, SIM2...), in that order."""
        teams = [{"id": team_id(project)} for project in self.store.projects]
        return {"teams": self._page(teams, variables)}

    def op_IssuesPage(self, variables: dict) -> dict:
        found = self._filtered(variables)
        page = self._page(found, variables)
        with self.store.lock:
            page["nodes"] = [self.issue_node(i) for i in page["nodes"]]
        return {"issues": page}

    def op_IssueById(self, variables: dict) -> dict:
        issue = self.store.get(variables["id"])
        if issue is None:
            raise LookupError("Issue")
        return {"issue": self.issue_node(issue)}

    def op_IssueComments(self, variables: dict) -> dict:
        issue = self.store.get(variables["id"])
        if issue is None:
            raise LookupError("Issue")
        return {"issue": {"id": issue.linear_id, "comments": self._page(self._comment_nodes(issue), variables)}}

    def op_IssueRelations(self, variables: dict) -> dict:
        page = self._page(self._filtered(variables), variables)
        with self.store.lock:
            live = self.store.live()
            page["nodes"] = [self._relations(i, live) for i in page["nodes"]]
        return {"issues": page}

    def op_IssueDiscussions(self, variables: dict) -> dict:
        answer = self.op_IssueRelations(variables)
        for node in answer["issues"]["nodes"]:
            issue = self.store.get(node["id"])
            node["comments"] = {"nodes": self._comment_nodes(issue)[:50]}
        return answer

    def _comment_nodes(self, issue: SimIssue) -> list[dict]:
        return [{"id": stable_uuid(f"comment:{c.number}"), "body": c.body, "createdAt": iso(c.created),
                 "updatedAt": iso(c.created), "user": {"id": stable_uuid("user:" + c.author)}}
                for c in issue.comments]

    def _relations(self, issue: SimIssue, live: list[SimIssue]) -> dict:
        out = [{"type": "blocks", "relatedIssue": {"id": self.store.issues[k].linear_id}}
               for k in issue.blocks if k in self.store.issues]
        inverse = [{"type": "blocks", "issue": {"id": o.linear_id}} for o in live if issue.key in o.blocks]
        return {"id": issue.linear_id, "relations": {"nodes": out}, "inverseRelations": {"nodes": inverse}}

    def _find(self, kind: str, variables: dict) -> dict:
        entity = self.store.linear_entities.get(variables["id"])
        nodes = [entity] if entity and entity["__kind"] == kind else []
        return {kind + "s": {"nodes": [_public(n) for n in nodes]}}

    def op_FindInitiative(self, variables: dict) -> dict:
        return self._find("initiative", variables)

    def op_FindProject(self, variables: dict) -> dict:
        return self._find("project", variables)

    # -- writes ------------------------------------------------------------------------------

    def _create(self, kind: str, fields: dict) -> dict:
        with self.store.lock:
            entity_id = fields.get("id") or stable_uuid(f"{kind}:{len(self.store.linear_entities)}")
            if entity_id in self.store.linear_entities:
                raise ValueError(f"{kind} with id {entity_id} already exists")
            entity = {"__kind": kind, **fields, "id": entity_id, "url": f"https://linear.sim/{kind}/{entity_id}"}
            self.store.linear_entities[entity_id] = entity
            self._emit(KIND_TYPES.get(kind, kind), "create", entity)
            return entity

    def op_CreateInitiative(self, variables: dict) -> dict:
        return {"initiativeCreate": {"success": True, "initiative": _public(self._create("initiative", variables["input"]))}}

    def op_CreateProject(self, variables: dict) -> dict:
        return {"projectCreate": {"success": True, "project": _public(self._create("project", variables["input"]))}}

    def op_AddProjectToInitiative(self, variables: dict) -> dict:
        self._create("initiativeToProject", variables["input"])
        return {"initiativeToProjectCreate": {"success": True}}

    def _update(self, kind: str, variables: dict) -> dict:
        entity = self.store.linear_entities.get(variables["id"])
        if entity is None or entity["__kind"] != kind:
            raise LookupError(kind)
        before = {k: entity.get(k) for k in variables["input"]}
        entity.update(variables["input"])
        self._emit(KIND_TYPES[kind], "update", entity, before)
        return _public(entity)

    def op_UpdateInitiative(self, variables: dict) -> dict:
        return {"initiativeUpdate": {"success": True, "initiative": self._update("initiative", variables)}}

    def op_UpdateProject(self, variables: dict) -> dict:
        return {"projectUpdate": {"success": True, "project": self._update("project", variables)}}

    def op_CreateAttachment(self, variables: dict) -> dict:
        fields = variables["input"]
        attachment_id = stable_uuid(f"attachment:{fields['issueId']}:{fields['url']}")  # same URL, same one
        with self.store.lock:
            self.store.linear_entities[attachment_id] = {"__kind": "attachment", **fields, "id": attachment_id}
            self._emit("Attachment", "create", self.store.linear_entities[attachment_id])
        return {"attachmentCreate": {"success": True, "attachment": {"id": attachment_id}}}

    def op_DeleteAttachment(self, variables: dict) -> dict:
        with self.store.lock:
            entity = self.store.linear_entities.get(variables["id"])
            if entity is None or entity["__kind"] != "attachment":
                raise LookupError("Attachment")
            gone = self.store.linear_entities.pop(variables["id"])
            self._emit("Attachment", "remove", gone)
        return {"attachmentDelete": {"success": True}}

    def op_CreateProjectUpdate(self, variables: dict) -> dict:
        entity = self._create("projectUpdate", {k: v for k, v in variables["input"].items() if k != "id"})
        return {"projectUpdateCreate": {"success": True, "projectUpdate": {"id": entity["id"]}}}

    def op_ArchiveProjectUpdate(self, variables: dict) -> dict:
        with self.store.lock:
            entity = self.store.linear_entities.get(variables["id"])
            if entity is None or entity["__kind"] != "projectUpdate":
                raise LookupError("ProjectUpdate")
            entity["archivedAt"] = iso(self.store.tick())
        return {"projectUpdateArchive": {"success": True}}

    def op_CreateInitiativeUpdate(self, variables: dict) -> dict:
        entity = self._create("initiativeUpdate", {k: v for k, v in variables["input"].items() if k != "id"})
        return {"initiativeUpdateCreate": {"success": True, "initiativeUpdate": {"id": entity["id"]}}}


KIND_TYPES = {"initiative": "Initiative", "project": "Project", "projectUpdate": "ProjectUpdate",
              "initiativeUpdate": "InitiativeUpdate", "initiativeToProject": "InitiativeToProject"}


def _public(entity: dict) -> dict:
    return {k: v for k, v in entity.items() if not k.startswith("__")}


def _error(message: str, code: str) -> dict:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
