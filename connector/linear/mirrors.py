"""Linear initiative/project mirrors, issue attachments and status updates."""
from __future__ import annotations

import uuid
from typing import Callable

from connector.base import Mirror, MirrorKind, MirrorSpec
from connector.errors import MalformedResponse, NotFound, RequestRejected
from connector.linear import mapping
from connector.linear.client import LinearGraphQL, data_at
from okr_core.domain import KRStatus

# Mirrors get ids we choose (uuid5 of the okrsync id; Linear's create inputs accept `id`),
# so finding a mirror is a lookup by id and a retried create cannot make a second one.
MIRROR_NAMESPACE = uuid.UUID("5b0f7c1e-3f61-4c55-9d0e-6f6b6b7279a1")
ENTITY = {MirrorKind.OBJECTIVE: "initiative", MirrorKind.KEY_RESULT: "project"}


def mirror_uuid(kind: MirrorKind, okrsync_id: str, namespace: str = "okrsync") -> str:
    """The deterministic Linear id of an okrsync mirror."""
    return str(uuid.uuid5(MIRROR_NAMESPACE, f"{namespace}:{kind}:{okrsync_id}"))


class LinearMirrors:
    """Mirror and status operations; mixed into LinearConnector."""

    graphql: LinearGraphQL
    namespace: str
    own_account: Callable[[], str | None]

    def find_mirror(self, kind: MirrorKind, okrsync_id: str) -> Mirror | None:
        """The initiative (objective) or project (KR) with this okrsync object's id, if any."""
        operation = "FindInitiative" if kind is MirrorKind.OBJECTIVE else "FindProject"
        mirror_id = mirror_uuid(kind, okrsync_id, self.namespace)
        nodes = data_at(self.graphql.execute(operation, {"id": mirror_id}), ENTITY[kind] + "s", "nodes")
        return _mirror(kind, okrsync_id, nodes[0]) if nodes else None

    def create_mirror(self, spec: MirrorSpec) -> Mirror:
        """Create the initiative or project (in its initiative) unless it exists already."""
        self.own_account()   # so the deliveries this write causes are known as ours
        existing = self.find_mirror(spec.kind, spec.okrsync_id)
        if existing is not None:
            return existing
        fields = {"id": mirror_uuid(spec.kind, spec.okrsync_id, self.namespace),
                  "name": spec.title, "description": spec.description}
        if spec.kind is MirrorKind.OBJECTIVE:
            data = self.graphql.execute("CreateInitiative", {"input": fields}, idempotent=False)
            node = _payload(data, "initiativeCreate", "initiative")
        else:
            fields["teamIds"] = [spec.container]
            data = self.graphql.execute("CreateProject", {"input": fields}, idempotent=False)
            node = _payload(data, "projectCreate", "project")
            if spec.parent_ref:
                link = {"initiativeId": spec.parent_ref, "projectId": node["id"]}
                self.graphql.execute("AddProjectToInitiative", {"input": link}, idempotent=False)
        return _mirror(spec.kind, spec.okrsync_id, node)

    def update_mirror(self, mirror: Mirror, spec: MirrorSpec) -> Mirror:
        """Rewrite the mirror's name and description."""
        self.own_account()   # so the deliveries this write causes are known as ours
        fields = {"name": spec.title, "description": spec.description}
        if mirror.kind is MirrorKind.OBJECTIVE:
            data = self.graphql.execute("UpdateInitiative", {"id": mirror.external_id, "input": fields})
            return _mirror(mirror.kind, mirror.okrsync_id, _payload(data, "initiativeUpdate", "initiative"))
        data = self.graphql.execute("UpdateProject", {"id": mirror.external_id, "input": fields})
        return _mirror(mirror.kind, mirror.okrsync_id, _payload(data, "projectUpdate", "project"))

    def write_attachment(self, issue_id: str, url: str, title: str, subtitle: str = "") -> str:
        """Attach the panel link to an issue; Linear keeps one attachment per URL, so it is idempotent."""
        self.own_account()   # so the deliveries this write causes are known as ours
        # https://linear.app/developers/attachments
        fields = {"issueId": issue_id, "url": url, "title": title, "subtitle": subtitle}
        data = self.graphql.execute("CreateAttachment", {"input": fields})
        return _payload(data, "attachmentCreate", "attachment")["id"]

    def remove_attachment(self, attachment_id: str) -> None:
        """Delete an attachment okrsync wrote (an issue left the KR); gone already is fine."""
        self._take_back("DeleteAttachment", "attachmentDelete", attachment_id)

    def post_status_update(self, mirror: Mirror, status: KRStatus, body: str) -> str:
        """Post a project (KR) or initiative (objective) update with the matching health."""
        self.own_account()   # so the deliveries this write causes are known as ours
        # A KR not started has no health to report; `health` is optional on both inputs
        # (ProjectUpdateCreateInput / InitiativeUpdateCreateInput in connector/linear/schema.graphql).
        health = mapping.HEALTH.get(KRStatus(status))
        judged = {"health": health} if health else {}
        if mirror.kind is MirrorKind.OBJECTIVE:
            fields = {"initiativeId": mirror.external_id, **judged, "body": body}
            data = self.graphql.execute("CreateInitiativeUpdate", {"input": fields}, idempotent=False)
            return _payload(data, "initiativeUpdateCreate", "initiativeUpdate")["id"]
        fields = {"projectId": mirror.external_id, **judged, "body": body}
        data = self.graphql.execute("CreateProjectUpdate", {"input": fields}, idempotent=False)
        return _payload(data, "projectUpdateCreate", "projectUpdate")["id"]

    def withdraw_status_update(self, update_id: str) -> None:
        """Take back a project update okrsync posted (archived: the schema deprecates deleting
        it); one already gone counts as withdrawn."""
        self._take_back("ArchiveProjectUpdate", "projectUpdateArchive", update_id)

    def _take_back(self, operation: str, mutation: str, entity_id: str) -> None:
        """Run a delete / archive mutation; an entity already gone counts as taken back."""
        self.own_account()   # so the deliveries this write causes are known as ours
        try:
            data = self.graphql.execute(operation, {"id": entity_id})
        except NotFound:
            return
        if not data_at(data, mutation).get("success"):
            raise RequestRejected(f"Linear {mutation} reported success: false")


def _payload(data: dict, mutation: str, entity: str) -> dict:
    """The entity of a successful mutation payload."""
    payload = data_at(data, mutation)
    if not payload.get("success"):
        raise RequestRejected(f"Linear {mutation} reported success: false")
    node = payload.get(entity)
    if not isinstance(node, dict) or "id" not in node:
        raise MalformedResponse(f"Linear {mutation} answered without the {entity}")
    return node


def _mirror(kind: MirrorKind, okrsync_id: str, node: dict) -> Mirror:
    return Mirror(kind, okrsync_id, node["id"], node.get("name") or node["id"], node.get("url"))
