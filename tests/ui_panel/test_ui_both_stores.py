"""The pages on both stores (SQLite and PostgreSQL) with a small hand-made organisation."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from okr_core.domain import Level, Role, TeamKind, Visibility
from okr_core.models import (
    CheckIn, Cycle, KeyResult, Objective, ProgressSnapshot, Team, User, utcnow,
)
from tests.ui_panel.conftest import csrf_token, scalar, sign_in


@pytest.fixture
def world(db):
    """A company with two teams, three people, one cycle, public and private objectives."""
    company = Team(name="Acme", kind=TeamKind.COMPANY)
    db.add(company)
    db.flush()
    red, blue = (Team(name=n, kind=TeamKind.TEAM, parent_id=company.id) for n in ("Red", "Blue"))
    db.add_all([red, blue])
    db.flush()
    people = {role: User(name=f"{role.value} person", email=f"{role.value}@acme.example",
                         role=role, team_id=red.id) for role in Role}
    db.add_all(people.values())
    today = date.today()
    cycle = Cycle(name="This quarter", start_date=today - timedelta(days=30),
                  end_date=today + timedelta(days=60), status="active")
    db.add(cycle)
    db.flush()
    ids = {"cycle": cycle.id, "red": red.id, "blue": blue.id,
           **{role.value: user.id for role, user in people.items()}}
    ids.update(_objectives(db, cycle, red, blue, people))
    db.commit()
    return ids


def _objectives(db, cycle, red, blue, people) -> dict:
    lead, admin = people[Role.LEAD], people[Role.ADMIN]
    public = Objective(cycle_id=cycle.id, title="Red ships faster", team_id=red.id,
                       owner_id=lead.id, level=Level.TEAM)
    hidden = Objective(cycle_id=cycle.id, title="Blue private bet", team_id=blue.id,
                       owner_id=admin.id, visibility=Visibility.PRIVATE)
    db.add_all([public, hidden])
    db.flush()
    kr = KeyResult(objective_id=public.id, title="Cut lead time from 10 to 4 days",
                   owner_id=lead.id, start_value=10, target_value=4, current_value=9,
                   progress=1 / 6, unit="days", status="on_track")
    db.add_all([kr, KeyResult(objective_id=hidden.id, title="Secret metric", start_value=0,
                              target_value=1)])
    db.flush()
    db.add_all(ProgressSnapshot(key_result_id=kr.id, at=utcnow() - timedelta(days=7 * w),
                                value=10 - w / 2, progress=w / 12) for w in range(4))
    return {"public": public.id, "hidden": hidden.id, "kr": kr.id}


def test_member_sees_the_public_tree_and_not_the_private_objective(app, db, world):
    client = sign_in(app.test_client(), world["member"])
    for path in ("/", f"/teams/{world['red']}", "/reports"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Blue private bet" not in page.text and "Secret metric" not in page.text
    home = client.get("/").text
    assert "Red ships faster" in home and home.count('class="trend-point"') == 4
    hidden_kr = scalar(db, select(KeyResult.id).where(KeyResult.objective_id == world["hidden"]))
    assert client.get(f"/key-results/{hidden_kr}").status_code == 404


def test_a_team_member_checks_in_through_the_form(app, db, world):
    client = sign_in(app.test_client(), world["member"])
    token = csrf_token(client, f"/key-results/{world['kr']}")
    response = client.post(f"/key-results/{world['kr']}/check-ins", data={
        "csrf_token": token, "value": "4", "status": "at_risk", "confidence": "6",
        "wins": "Pipeline cache landed"})
    assert response.status_code == 302
    kr = db.get(KeyResult, world["kr"])
    assert (kr.current_value, kr.progress, kr.status, kr.confidence) == (4, 1.0, "at_risk", 6)
    assert db.scalar(select(CheckIn.wins).where(CheckIn.key_result_id == kr.id)) == \
        "Pipeline cache landed"
    assert db.get(Objective, world["public"]).progress == 1.0
    db.commit()


def test_only_admins_close_and_closing_scores_with_labels(app, db, world):
    member = sign_in(app.test_client(), world["member"])
    assert member.get(f"/cycles/{world['cycle']}/close").status_code == 403
    admin = sign_in(app.test_client(), world["admin"])
    token = csrf_token(admin, f"/cycles/{world['cycle']}/close")
    assert admin.post(f"/cycles/{world['cycle']}/close", data={"csrf_token": token}
                      ).status_code == 302
    page = admin.get(f"/cycles/{world['cycle']}/close").text
    assert "0.2" in page and "Failed to deliver" in page  # 10 -> 9 of 10 -> 4: 1/6 = 0.2
    assert member.get(f"/cycles/{world['cycle']}/retrospective").status_code == 200
    assert scalar(db, select(Cycle.status).where(Cycle.id == world["cycle"])) == "closed"


def test_forge_issue_endpoint_and_issue_panel_follow_the_links(app, db, world):
    from okr_core.models import Connection, LinkItem, WorkItem, WorkLink
    from tests.ui_panel.forge_tokens import APP_ID, ForgeSigner, serve_jwks

    site = Connection(tracker="jira", name="Acme Jira", base_url="https://acme.atlassian.net",
                      cloud_id="cloud-1")
    db.add(site)
    db.flush()
    item = WorkItem(connection_id=site.id, external_id="10001", key="RED-7", title="Cache",
                    status_category="done", tracker_updated_at=utcnow())
    link = WorkLink(key_result_id=world["kr"], connection_id=site.id, kind="issue", ref="RED-7")
    db.add_all([item, link])
    db.flush()
    db.add(LinkItem(work_link_id=link.id, work_item_id=item.id))
    db.get(User, world["member"]).jira_account_id = "acct-member"
    site_id = site.id
    db.commit()
    panel = sign_in(app.test_client(), world["member"]).get(f"/panel/issue/{site_id}/RED-7")
    assert "Cut lead time from 10 to 4 days" in panel.text
    assert "https://acme.atlassian.net" in panel.headers["Content-Security-Policy"]
    signer = ForgeSigner()
    with serve_jwks(signer) as (url, _):
        app.config.update(FORGE_APP_ID=APP_ID, FORGE_JWKS_URL=url)
        token = signer.token(signer.claims("acct-member"))
        response = app.test_client().post("/panel/forge/issue", json={"issueKey": "RED-7"},
                                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [kr["title"] for kr in response.get_json()["key_results"]] == [
        "Cut lead time from 10 to 4 days"]
