"""A key result's owner (the demo's linked account is a team lead) approves their drafted weekly
check-in from the Jira panel: only with a valid Forge Invocation Token, only their own waiting
draft, once; every refusal is JSON in the API's error format."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from okr_core.domain import Role
from okr_core.models import CheckIn, CheckInDraft, KeyResult, User
from tests.ui_panel.conftest import ACCOUNT, linked_issue
from tests.ui_panel.forge_tokens import ForgeSigner


def _approve(client, draft_id: int, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/panel/forge/check-in-drafts/{draft_id}/approve", json={}, headers=headers)


def _refusal(response, status: int, code: str) -> None:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json" and response.get_json()["error"]["code"] == code


@pytest.fixture
def drafted(db, forge):
    """(issue key, KR title, the caller's waiting draft id, someone else's waiting draft id)."""
    _, key, kr_title = linked_issue(db)
    kr = db.scalar(select(KeyResult).where(KeyResult.title == kr_title))
    caller = db.scalar(select(User).where(User.jira_account_id == ACCOUNT))
    other = db.scalar(select(User).where(User.id != caller.id, User.role == Role.MEMBER))
    kr.owner_id = caller.id
    mine = CheckInDraft(key_result_id=kr.id, owner_id=caller.id, week_start=date(2026, 11, 23),
                        suggested_status="on_track", suggested_confidence=7,
                        note="Three issues done this week.")
    theirs = CheckInDraft(key_result_id=kr.id, owner_id=other.id, week_start=date(2026, 11, 16),
                          note="Drafted for someone else.")
    db.add_all([mine, theirs])
    db.commit()
    return key, kr_title, mine.id, theirs.id


def test_the_owner_approves_their_waiting_draft_from_the_panel(client, db, forge, drafted):
    key, kr_title, draft_id, _ = drafted
    claims = forge.claims(ACCOUNT)
    answer = _approve(client, draft_id, forge.token(claims))
    assert answer.status_code == 201, answer.data
    body = answer.get_json()
    assert "approved" in body["message"] and "undo" in body["message"]
    check_in = db.get(CheckIn, body["check_in"]["id"])
    caller_id = db.scalar(select(User.id).where(User.jira_account_id == ACCOUNT))
    assert (check_in.author_id, check_in.note, str(check_in.status), check_in.confidence) == (
        caller_id, "Three issues done this week.", "on_track", 7)
    assert db.get(CheckInDraft, draft_id).state == "approved"
    db.commit()
    claims["context"]["extension"] = {"type": "jira:issuePanel", "issue": {"key": key}}
    shown = client.post("/panel/forge/issue", json={},
                        headers={"Authorization": f"Bearer {forge.token(claims)}"}).get_json()
    assert [k["check_in_draft"] for k in shown["key_results"] if k["title"] == kr_title] == [None]
    _refusal(_approve(client, draft_id, forge.token(forge.claims(ACCOUNT))), 409, "conflict")


def test_approving_from_the_panel_needs_a_valid_forge_token(client, db, forge, drafted):
    _, _, draft_id, _ = drafted
    _refusal(_approve(client, draft_id, None), 401, "invalid_token")
    forged = ForgeSigner().token(forge.claims(ACCOUNT))   # signed with a key Forge never published
    _refusal(_approve(client, draft_id, forged), 401, "invalid_token")
    _refusal(_approve(client, draft_id, forge.token(forge.claims("5b10ac8d82e05b22cc7d0000"))),
             403, "not_linked")
    assert db.get(CheckInDraft, draft_id).state == "waiting"
    assert db.scalars(select(CheckIn).where(CheckIn.note == "Three issues done this week.")).all() == []


def test_nobody_approves_another_persons_draft_or_one_that_does_not_exist(client, db, forge,
                                                                          drafted):
    _, _, _, theirs = drafted
    _refusal(_approve(client, theirs, forge.token(forge.claims(ACCOUNT))), 403, "forbidden")
    _refusal(_approve(client, 987654, forge.token(forge.claims(ACCOUNT))), 404, "not_found")
    assert db.get(CheckInDraft, theirs).state == "waiting"
