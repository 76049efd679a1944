"""Dashboard pages: status codes, what each view shows, and who sees what."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from okr_core.domain import Level, Role, Visibility
from okr_core.models import (
    Analysis, Connection, Cycle, KeyResult, Objective, SyncState, Team, User, utcnow,
)
from tests.ui_panel.conftest import scalar, sign_in

VIEWS = ["/", "/mine", "/reports", "/sync"]


def test_every_view_sends_strangers_to_the_login_page(client, demo):
    for path in VIEWS + ["/teams", "/key-results/1", "/cycles/1/close"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_company_view_shows_tree_statuses_confidence_owners_and_trends(admin_client, db, demo):
    page = admin_client.get("/")
    assert page.status_code == 200
    html = page.text
    kr_count = scalar(db, select(func.count()).select_from(KeyResult))
    assert html.count('class="kr"') == kr_count
    assert 'class="bar-fill status-' in html
    assert any(label in html for label in ("On track", "At risk", "Off track"))
    assert "Confidence" in html and "Ada Okafor" in html
    assert html.count('class="trend-point"') >= kr_count
    assert "No analysis yet." in html
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_team_my_and_report_views_render(admin_client, db, demo):
    platform = scalar(db, select(Team.id).where(Team.name == "Platform"))
    team_page = admin_client.get(f"/teams/{platform}?cycle={demo}")
    assert team_page.status_code == 200
    assert "A sync engine that never loses an update" in team_page.text
    assert "Become the default OKR tool" not in team_page.text
    assert admin_client.get("/teams").status_code == 302
    mine = admin_client.get("/mine")
    assert mine.status_code == 200 and "Become the default OKR tool" in mine.text
    assert "A sync engine that never loses an update" not in mine.text
    report = admin_client.get("/reports")
    assert report.status_code == 200
    teams = scalar(db, select(func.count(func.distinct(Objective.team_id))))
    assert report.text.count('class="team-row"') == teams
    assert admin_client.get("/teams/99999").status_code == 404


def test_latest_analysis_is_shown_escaped(admin_client, db, demo):
    db.add(Analysis(cycle_id=demo, scope="company", state="done", model="template",
                    narrative={"summary": "Health 72% <script>alert(1)</script>"},
                    sections={"health": {"score": 72}}, created_at=utcnow()))
    db.commit()
    html = admin_client.get("/").text
    assert "No analysis yet." not in html
    assert "Health 72% &lt;script&gt;" in html and "<script>alert" not in html


def _private_objective(db, cycle_id: int) -> tuple[int, int]:
    owner = db.scalar(select(User).where(User.email == "ada@northwind.example"))
    objective = Objective(cycle_id=cycle_id, title="Secret acquisition plan", level=Level.COMPANY,
                          team_id=owner.team_id, owner_id=owner.id,
                          visibility=Visibility.PRIVATE)
    db.add(objective)
    db.flush()
    kr = KeyResult(objective_id=objective.id, title="Sign the term sheet", owner_id=owner.id,
                   start_value=0, target_value=1)
    db.add(kr)
    db.commit()
    return objective.id, kr.id


def test_hidden_objectives_are_not_shown(app, db, demo):
    _, kr_id = _private_objective(db, demo)
    member = scalar(db, select(User.id).where(User.role == Role.MEMBER).order_by(User.id))
    client = sign_in(app.test_client(), member)
    for path in VIEWS[:3]:
        assert "Secret acquisition plan" not in client.get(path).text, path
    assert client.get(f"/key-results/{kr_id}").status_code == 404
    admin = sign_in(app.test_client(), scalar(db, select(User.id).where(User.role == Role.ADMIN)))
    assert "Secret acquisition plan" in admin.get("/").text


def test_cycle_close_is_for_admins_and_records_scores(app, admin_client, db, demo):
    member = scalar(db, select(User.id).where(User.role == Role.MEMBER).order_by(User.id))
    assert sign_in(app.test_client(), member).get(f"/cycles/{demo}/close").status_code == 403
    preview = admin_client.get(f"/cycles/{demo}/close")
    assert preview.status_code == 200 and "Close Q" in preview.text
    assert admin_client.get(f"/cycles/{demo}/retrospective").status_code == 404
    token = _token(preview.text)
    assert admin_client.post(f"/cycles/{demo}/close").status_code == 400  # no CSRF token
    closed = admin_client.post(f"/cycles/{demo}/close", data={"csrf_token": token})
    assert closed.status_code == 302
    db.expire_all()
    assert scalar(db, select(Cycle.status).where(Cycle.id == demo)) == "closed"
    scores = admin_client.get(f"/cycles/{demo}/close").text
    assert "final scores" in scores
    assert any(text in scores for text in ("Delivered successfully", "Made progress but fell short",
                                            "Failed to deliver", "Exceeded expectations"))
    retro = admin_client.get(f"/cycles/{demo}/retrospective")
    assert retro.status_code == 200 and "Recurring blockers" in retro.text
    # the demo's design-specs blocker, grouped and named by its words
    assert re.search(r"“[^”]*design specs[^”]*” \(waiting on other work\)", retro.text), retro.text
    assert "(dependency)" not in retro.text   # the kind in the guide's words, not its stored name


def _token(html: str) -> str:
    from tests.ui_panel.conftest import CSRF
    return CSRF.search(html).group(1)


def test_sync_page_says_never_synced_or_shows_the_last_pass(admin_client, db, demo):
    assert "never synced" in admin_client.get("/sync").text
    connection_id = scalar(db, select(Connection.id))
    now = utcnow()
    db.add(SyncState(connection_id=connection_id, last_started_at=now, last_finished_at=now,
                     last_kind="incremental",
                     last_counts={"items_read": 42, "rewalks": 0, "projects_missing": ["OPS", "WEB"],
                                  "split": {"id": "t", "parts": {"OPS": {"state": "done"},
                                                                 "WEB": {"state": "running"}}}},
                     last_error="HTTP 429 from Jira"))
    db.commit()
    html = admin_client.get("/sync").text
    assert "never synced" not in html
    assert "42 work items read" in html and "HTTP 429 from Jira" in html and "Changes since the last pass" in html
    assert "projects the tracker no longer has: OPS, WEB" in html   # a list reads as words, not as ['OPS', 'WEB']
    assert "split in 2 parts: 1 done, 0 failed, 1 to go" in html and "repeated" not in html   # zeros left out
    assert "{" not in html.split("<tbody>")[1].split("</tbody>")[0]   # no stored record shown raw


def test_the_sync_page_shows_tracker_addresses_to_admins_only(app, admin_client, db, demo):
    from okrsync.demo import DEMO_SITE

    assert DEMO_SITE in admin_client.get("/sync").text
    member = scalar(db, select(User.id).where(User.role == Role.MEMBER).order_by(User.id))
    page = sign_in(app.test_client(), member).get("/sync").text
    assert "Northwind Jira (demo)" in page and DEMO_SITE not in page


def test_an_analysis_of_hidden_objectives_is_not_shown(app, db, demo):
    private_id, _ = _private_objective(db, demo)
    db.add(Analysis(cycle_id=demo, scope="company", state="done", created_at=utcnow(),
                    narrative={"summary": "The acquisition is on track"},
                    sections={"subjects": {"objective_ids": [private_id]}}))
    db.commit()
    member = scalar(db, select(User.id).where(User.role == Role.MEMBER).order_by(User.id))
    html = sign_in(app.test_client(), member).get("/").text
    assert "No analysis yet." in html and "acquisition" not in html
    admin = sign_in(app.test_client(), scalar(db, select(User.id).where(User.role == Role.ADMIN)))
    assert "The acquisition is on track" in admin.get("/").text


def test_a_degraded_connection_is_said_so_on_the_sync_page_and_in_admin(app, admin_client, db,
                                                                          demo):
    from datetime import timedelta

    from okr_core.models import ConnectionHealth

    connection_id = scalar(db, select(Connection.id))
    now = utcnow()
    db.add(ConnectionHealth(connection_id=connection_id, consecutive_failures=4,
                            failing_since=now - timedelta(minutes=5),
                            next_attempt_at=now + timedelta(minutes=2), last_error="HTTP 503"))
    db.commit()
    for path in ("/sync", "/admin/"):
        page = admin_client.get(path).text
        assert "Degraded" in page and "4 failures in a row" in page, path
    readiness = app.test_client().get("/readyz")
    assert readiness.status_code == 200
    assert readiness.get_json()["degraded_connections"] == [connection_id]


def test_a_failed_pass_is_said_in_words_on_the_sync_page_and_in_admin(admin_client, db, demo):
    connection_id = scalar(db, select(Connection.id))
    now = utcnow()
    db.add(SyncState(connection_id=connection_id, last_started_at=now, last_finished_at=now,
                     last_kind="full", last_error="part OPS: TrackerUnavailable: 503; "
                                                  "part WEB: KeyError: 'fields'"))
    db.commit()
    for path in ("/sync", "/admin/", f"/admin/connections/{connection_id}"):
        html = admin_client.get(path).text
        assert "Part OPS: The tracker did not answer. Try again shortly." in html, path
        assert "Part WEB: okrsync stopped on a problem it did not expect" in html, path
        assert "TrackerUnavailable" not in html and "KeyError" not in html and "&#39;fields" not in html, path


def test_the_analysis_panel_names_blocker_kinds_in_words(admin_client, db, demo):
    db.add(Analysis(cycle_id=demo, scope="company", state="done", created_at=utcnow(),
                    narrative={"summary": "Steady quarter"},
                    sections={"blockers": {"recurring": [
                        {"phrase": "sign-off from legal", "kind": "person", "count": 4},
                        {"phrase": "the vendor sandbox", "kind": "unclassified", "count": 2}]}}))
    db.commit()
    html = admin_client.get("/").text
    assert "“sign-off from legal” (waiting on a person): 4 mentions" in html
    assert "“the vendor sandbox”: 2 mentions" in html
    assert "(person)" not in html and "unclassified" not in html


def test_a_key_result_page_names_its_measure_in_words(admin_client, db, demo):
    from okr_core.domain import Measure

    counted = scalar(db, select(KeyResult.id).where(KeyResult.measure == Measure.WORK_DONE_RATIO)
                     .order_by(KeyResult.id))
    manual = scalar(db, select(KeyResult.id).where(KeyResult.measure == Measure.MANUAL).order_by(KeyResult.id))
    html = admin_client.get(f"/key-results/{counted}").text
    assert "<dt>Measure</dt><dd>Share of linked issues done (" in html
    assert "work done ratio" not in html and "work_done_ratio" not in html
    assert "<dt>Measure</dt><dd>Checked in by hand" in admin_client.get(f"/key-results/{manual}").text


def test_linked_work_is_named_by_the_link_forms_words(admin_client, db, demo):
    from okr_core.domain import LinkKind
    from okr_core.models import WorkLink

    kr_id = scalar(db, select(KeyResult.id).order_by(KeyResult.id))
    connection_id = scalar(db, select(Connection.id))
    db.add_all([WorkLink(key_result_id=kr_id, connection_id=connection_id, kind=LinkKind.JQL,
                         ref="labels = okr", resolved_at=utcnow()),
                WorkLink(key_result_id=kr_id, connection_id=connection_id, kind=LinkKind.MIRROR,
                         ref="ENG-7", resolved_at=utcnow())])
    db.commit()
    links = admin_client.get(f"/key-results/{kr_id}").text.split('id="linked-items"')[1].split("</ul>")[0]
    assert "<strong>Jira JQL query</strong> labels = okr" in links
    assert "<strong>Issues linked to the mirror</strong> ENG-7" in links
    assert "<strong>JQL</strong>" not in links and "<strong>Mirror</strong>" not in links


def test_an_objectives_visibility_reads_as_words(admin_client, db, demo):
    objective_id, _ = _private_objective(db, demo)   # Ada, the demo admin, owns it
    page = admin_client.get(f"/objectives/{objective_id}").text
    tree = admin_client.get("/").text.split("Secret acquisition plan")[1][:600]
    for html in (page, tree):
        assert "visible to the owner only" in html
        assert not re.search(r"·\s*private\b", html)
    public = scalar(db, select(Objective.id).where(Objective.visibility == Visibility.PUBLIC))
    assert "visible to everyone" in admin_client.get(f"/objectives/{public}").text
