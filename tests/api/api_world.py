"""Arranges OKR data straight in the store so API tests read as what they check."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from okr_core.domain import CycleStatus, LinkKind, Role, TeamKind, TrackerKind, Visibility
from okr_core.models import (
    ApiToken, CheckIn, CheckInDraft, Connection, Cycle, KeyResult, Objective, ProgressSnapshot, WorkLink,
)
from okr_core.store import session_scope

JIRA_TOKEN = "jira-api-token-never-shown-1f2e3d"
JIRA_SECRET = "jira-webhook-secret-never-shown-9a8b"
LINEAR_KEY = "lin_api_key_never_shown_4c5d6e7f"
LINEAR_SECRET = "linear-webhook-secret-never-shown-77"
SECRETS = (JIRA_TOKEN, JIRA_SECRET, LINEAR_KEY, LINEAR_SECRET)


def error_of(response, status: int, code: str | None = None) -> dict:
    """The response's error object, after checking its status and (optionally) its code."""
    body = response.get_json()
    assert response.status_code == status, (response.status_code, body)
    assert set(body) == {"error"}, body
    assert body["error"]["message"], body
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


class World:
    """Creates cycles, objectives, key results, connections and links for a test."""

    def __init__(self, app):
        self._app = app

    def _scope(self):
        return session_scope(self._app.extensions["okrsync.sessionmaker"])

    def _add(self, row) -> int:
        with self._scope() as session:
            session.add(row)
            session.flush()
            return row.id

    def cycle(self, status: CycleStatus = CycleStatus.ACTIVE, name: str = "Q1 2026",
              start: date | None = None, days: int = 90) -> int:
        start = start or date.today() - timedelta(days=days // 2)
        return self._add(Cycle(name=name, start_date=start, end_date=start + timedelta(days=days),
                               status=status))

    def set_cycle_status(self, cycle_id: int, status: CycleStatus) -> None:
        with self._scope() as session:
            session.get(Cycle, cycle_id).status = status

    def objective(self, cycle_id: int, title: str = "Delight customers", **fields) -> int:
        fields.setdefault("visibility", Visibility.PUBLIC)
        return self._add(Objective(cycle_id=cycle_id, title=title, **fields))

    def key_result(self, objective_id: int, title: str = "NPS from 20 to 40", **fields) -> int:
        fields.setdefault("start_value", 20.0)
        fields.setdefault("target_value", 40.0)
        return self._add(KeyResult(objective_id=objective_id, title=title, **fields))

    def connection(self, tracker: TrackerKind = TrackerKind.JIRA, base_url: str | None = None) -> int:
        box = self._app.extensions["okrsync.secret_box"]
        if tracker == TrackerKind.JIRA:
            creds, secret = {"email": "bot@acme.test", "api_token": JIRA_TOKEN}, JIRA_SECRET
        else:
            creds, secret = {"api_key": LINEAR_KEY}, LINEAR_SECRET
        return self._add(Connection(
            tracker=tracker, name=f"{tracker} site",
            base_url=base_url or f"https://{tracker}.acme.test",
            credentials_encrypted=box.encrypt_json(creds),
            webhook_secret_encrypted=box.encrypt(secret)))

    def link(self, kr_id: int, connection_id: int, kind: LinkKind = LinkKind.EPIC,
             ref: str = "PLAT-1") -> int:
        return self._add(WorkLink(key_result_id=kr_id, connection_id=connection_id, kind=kind,
                                  ref=ref))

    def check_in(self, kr_id: int, note: str = "steady", **fields) -> int:
        return self._add(CheckIn(key_result_id=kr_id, note=note, **fields))

    def draft(self, kr_id: int, owner_id: int, **fields) -> int:
        """A drafted check-in of this week, waiting for its owner."""
        fields.setdefault("week_start", date.today() - timedelta(days=date.today().weekday()))
        fields.setdefault("note", "Done this week: 2 issues (5 points): APP-1, APP-2.")
        fields.setdefault("suggested_status", "at_risk")
        fields.setdefault("suggested_confidence", 5)
        return self._add(CheckInDraft(key_result_id=kr_id, owner_id=owner_id, **fields))

    def snapshot(self, kr_id: int, value: float, progress: float, days_ago: int = 0) -> int:
        at = datetime.now(timezone.utc) - timedelta(days=days_ago)
        return self._add(ProgressSnapshot(key_result_id=kr_id, at=at, value=value,
                                          progress=progress))

    def revoke_tokens(self, user_id: int) -> None:
        with self._scope() as session:
            for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)):
                token.revoked_at = datetime.now(timezone.utc)


@dataclass
class Org:
    """Acme: company > Product (department) > Alpha, Beta; company > Sales. Ids and headers."""

    company: int
    product: int
    alpha: int
    beta: int
    sales: int
    admin: dict
    product_lead: dict
    alpha_lead: dict
    alpha_member: dict
    beta_member: dict
    sales_member: dict
    ids: dict


def build_org(actors) -> Org:
    company = actors.team("Acme", TeamKind.COMPANY)
    product = actors.team("Product", TeamKind.DEPARTMENT, company)
    alpha = actors.team("Alpha", parent_id=product)
    beta = actors.team("Beta", parent_id=product)
    sales = actors.team("Sales", parent_id=company)
    people = {
        "admin": (Role.ADMIN, None), "product_lead": (Role.LEAD, product),
        "alpha_lead": (Role.LEAD, alpha), "alpha_member": (Role.MEMBER, alpha),
        "beta_member": (Role.MEMBER, beta), "sales_member": (Role.MEMBER, sales),
    }
    ids, headers = {}, {}
    for name, (role, team) in people.items():
        ids[name], headers[name] = actors.user(role, team, name=name)
    return Org(company, product, alpha, beta, sales, ids=ids, **headers)
