"""Helpers for intake tests: sign captured payloads as sent now, arrange OKRs, read the store."""
from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from okr_core.domain import CycleStatus, LinkKind, Measure, TrackerKind
from okr_core.models import (
    Connection, Cycle, Delivery, KeyResult, Objective, ProgressSnapshot, WorkItem, WorkLink,
)
from okr_core.store import session_scope
from plumbing.handoff_pusher import wait_for_hand_offs
from tests.webhooks.webhook_signing import TEST_SECRET, fixture_body, signed_headers

_LINEAR_STAMP = re.compile(rb'"webhookTimestamp":\s*\d+')


def now_ms() -> int:
    return int(time.time() * 1000)


def restamp_linear(body: bytes, millis: int | None = None) -> bytes:
    """The same captured bytes with webhookTimestamp set to now, as Linear would send it today."""
    stamp = f'"webhookTimestamp":{millis if millis is not None else now_ms()}'.encode()
    return _LINEAR_STAMP.sub(stamp, body, count=1)


def fixture_delivery(tracker: TrackerKind, name: str, delivery_id: str | None = None,
                     edit=None) -> tuple[bytes, dict[str, str]]:
    """A captured payload (optionally edited as JSON) signed with the test secret, sent now."""
    body = fixture_body(tracker, name)
    if edit is not None:
        payload = json.loads(body)
        edit(payload)
        body = json.dumps(payload).encode()
    if tracker is TrackerKind.LINEAR:
        body = restamp_linear(body)
    return body, signed_headers(tracker, body, delivery_id or f"{name}-{now_ms()}")


def as_issue(number: int, first_id: int = 30000):
    """An edit for fixture_delivery: the Jira payload's issue becomes TES-<number>."""
    def edit(payload):
        payload["issue"]["id"], payload["issue"]["key"] = str(first_id + number), f"TES-{number}"
    return edit


def post(client, tracker: TrackerKind | str, connection_id: int, body: bytes, headers: dict):
    """POST a delivery the way the tracker does; return once its id is handed off (or refused:
    intake hands ids to Redis just after answering, on a thread of its own)."""
    answer = client.post(f"/webhooks/{tracker}/{connection_id}", data=body,
                         headers={"Content-Type": "application/json", **headers})
    with client.application.app_context():
        assert wait_for_hand_offs(), "intake did not hand the delivery off within 10 s"
    return answer


def add_connection(app, tracker: TrackerKind, base_url: str, credentials: dict,
                   secret: str | None = TEST_SECRET, settings: dict | None = None) -> int:
    """A stored connection with encrypted credentials and webhook secret."""
    box = app.extensions["okrsync.secret_box"]
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        row = Connection(tracker=tracker, name=f"{tracker} test", base_url=base_url,
                         credentials_encrypted=box.encrypt_json(credentials),
                         webhook_secret_encrypted=box.encrypt(secret or ""),
                         settings=settings or {})
        session.add(row)
        session.flush()
        return row.id


def add_linked_kr(app, connection_id: int, kind: LinkKind, ref: str,
                  measure: Measure = Measure.WORK_DONE_RATIO) -> int:
    """An active cycle, an objective and a KR (0 -> 1) linked to tracker work; the KR's id."""
    today = datetime.now(timezone.utc).date()
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        cycle = Cycle(name="Q", start_date=today - timedelta(days=30),
                      end_date=today + timedelta(days=60), status=CycleStatus.ACTIVE)
        session.add(cycle)
        session.flush()
        objective = Objective(cycle_id=cycle.id, title="Ship it")
        session.add(objective)
        session.flush()
        kr = KeyResult(objective_id=objective.id, title="Work done", start_value=0.0,
                       target_value=100.0, measure=measure)
        session.add(kr)
        session.flush()
        session.add(WorkLink(key_result_id=kr.id, connection_id=connection_id, kind=kind, ref=ref))
        return kr.id


def store_row(app, model, **where):
    """The one row of `model` matching `where` (None when absent), read in a fresh session."""
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        query = select(model).filter_by(**where)
        return session.scalars(query).one_or_none()


def deliveries(app) -> list[Delivery]:
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def snapshot_count(app, kr_id: int) -> int:
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        return session.scalar(select(func.count()).select_from(ProgressSnapshot)
                              .where(ProgressSnapshot.key_result_id == kr_id))


def item(app, connection_id: int, external_id: str) -> WorkItem | None:
    return store_row(app, WorkItem, connection_id=connection_id, external_id=external_id)


def key_result(app, kr_id: int) -> KeyResult:
    return store_row(app, KeyResult, id=kr_id)
