"""Linear webhook bodies the simulator's writes cause, shaped as Linear sends them.

`EntityWebhookPayload` in Linear's published schema (specs/linear-schema.graphql): action, actor
(`UserActorWebhookPayload`: id, name, email, type, url), createdAt, data, organizationId, type,
updatedFrom (update only), url, webhookId, webhookTimestamp (Unix milliseconds). A change made
through an API key is made by the key's user, the `viewer`
(https://linear.app/developers/oauth-actor-authorization), so that user is the actor.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

from tests.simtracker.data import stable_uuid

VIEWER = {"id": stable_uuid("user:bot"), "name": "Sim Bot", "email": "bot@sim.test"}
PERSON = {"id": stable_uuid("user:person"), "name": "Pat Person", "email": "pat@sim.test"}


def actor(user: dict) -> dict:
    return {**user, "type": "user", "url": f"https://linear.sim/profiles/{user['id']}"}


def entity_payload(kind: str, action: str, data: dict, by: dict = VIEWER,
                   updated_from: dict | None = None) -> dict:
    """One webhook body for a change of `kind` (Issue, Project, Attachment...) made by `by`."""
    now = datetime.now(timezone.utc)
    body = {"action": action, "actor": actor(by), "createdAt": now.isoformat().replace("+00:00", "Z"),
            "data": data, "organizationId": stable_uuid("org"), "type": kind,
            "url": data.get("url") or f"https://linear.sim/{kind.lower()}/{data.get('id')}",
            "webhookId": stable_uuid("webhook"), "webhookTimestamp": int(time.time() * 1000)}
    if action == "update":
        body["updatedFrom"] = dict(updated_from or {})
    return body
