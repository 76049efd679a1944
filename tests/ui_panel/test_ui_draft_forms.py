"""The drafted check-in forms without a browser: every field's refusal beside it, strangers, an
empty check-in, and an undo that is too late; nothing recorded on a refusal."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from okr_core.domain import Measure, Role
from okr_core.models import CheckIn
from okr_core.store import session_scope
from tests.api.api_world import World
from tests.ui_panel.conftest import CSRF, sign_in


@pytest.fixture
def setup(app, actors):
    world = World(app)
    owner, _ = actors.user(Role.MEMBER, name="Olive")
    other, _ = actors.user(Role.MEMBER, name="Otto")
    kr = world.key_result(world.objective(world.cycle()), owner_id=owner, measure=Measure.MANUAL,
                          current_value=25.0)
    return world, owner, other, kr, world.draft(kr, owner, value=25.0, needs_input=True)


def _post(client, path: str, draft: int, **fields):
    token = CSRF.search(client.get("/mine").text).group(1)
    data = {"csrf_token": token, **{f"d{draft}-{name}": value for name, value in fields.items()}}
    return client.post(path, data=data)


def _check_ins(app) -> int:
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        return session.scalar(select(func.count()).select_from(CheckIn))


@pytest.mark.parametrize("fields,message", [
    ({"value": "lots"}, "Enter a number."),
    ({"value": "inf"}, "Enter a finite number."),
    ({"status": "not_started"}, "Pick one of the choices."),
    ({"confidence": "11"}, "Enter 0 to 10."),
    ({"note": "x" * 20_001}, "Keep it to 20,000 characters or fewer."),
    ({"blockers": "x" * 20_001}, "Keep it to 20,000 characters or fewer."),
    ({"wins": "x" * 20_001}, "Keep it to 20,000 characters or fewer."),
])
def test_each_bad_field_is_refused_beside_it_and_nothing_is_recorded(app, client, setup, fields, message):
    _, owner, _, _, draft = setup
    sign_in(client, owner)
    response = _post(client, f"/check-in-drafts/{draft}/approve", draft,
                     **{"value": "30", "status": "at_risk", "confidence": "5", "note": "ok", **fields})
    assert response.status_code == 422
    name = next(iter(fields))
    assert f'id="err-d{draft}-{name}"' in response.text and message in response.text
    assert _check_ins(app) == 0


def test_an_empty_check_in_is_refused_and_a_strangers_approval_is_404(app, client, setup):
    _, owner, other, _, draft = setup
    sign_in(client, owner)
    empty = _post(client, f"/check-in-drafts/{draft}/approve", draft, value="", status="", confidence="",
                  note="", blockers="", wins="")
    assert empty.status_code == 422 and "Give a value, status, confidence, note, blockers or wins." in empty.text
    sign_in(client, other)
    assert _post(client, f"/check-in-drafts/{draft}/approve", draft, note="mine now").status_code == 404
    assert client.get(f"/check-in-drafts/{draft}").status_code == 404
    assert _check_ins(app) == 0


def test_approval_then_a_late_undo_says_why_and_keeps_the_check_in(app, client, setup):
    _, owner, _, _, draft = setup
    sign_in(client, owner)
    done = _post(client, f"/check-in-drafts/{draft}/approve", draft, value="31", status="on_track",
                 confidence="7", note="steady")
    assert done.status_code == 302 and _check_ins(app) == 1
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        check_in = session.scalars(select(CheckIn)).one()
        check_in.created_at -= timedelta(minutes=11)
        check_in_id = check_in.id
    token = CSRF.search(client.get("/mine").text).group(1)
    late = client.post(f"/check-ins/{check_in_id}/undo", data={"csrf_token": token}, follow_redirects=True)
    assert "Not undone: the ten minutes to undo this check-in are over." in late.text
    assert _check_ins(app) == 1


def test_the_embedded_issue_panel_offers_the_owners_draft_and_approves_it_in_place(app, client):
    from sqlalchemy import select as sql_select

    from okr_core.models import User
    from sync.checkins.drafts import draft_check_ins
    from tests.simtracker import SimTracker
    from tests.sync.checkin_world import LINEAR_EPIC, build_week, drafts

    with SimTracker.start(issues=300, page_size=50, linear_page_size=50) as sim:
        week = build_week(app, sim)
        with app.app_context():
            draft_check_ins(force=True)
        draft = drafts(app)[week.linear_kr]
        issue = week.closed[LINEAR_EPIC][0]
        sign_in(client, week.owner_id)
        panel = client.get(f"/panel/issue/{week.linear}/{issue}")
        assert panel.status_code == 200 and f'id="draft-{draft.id}"' in panel.text
        assert "Approve check-in" in panel.text
        token = re.search(rf'name="d{draft.id}-csrf_token" type="hidden" value="([^"]+)"', panel.text).group(1)
        done = client.post(f"/check-in-drafts/{draft.id}/approve", data={
            f"d{draft.id}-csrf_token": token, "next": f"/panel/issue/{week.linear}/{issue}",
            f"d{draft.id}-status": "on_track", f"d{draft.id}-confidence": "8", f"d{draft.id}-note": "Fine"})
        assert done.status_code == 302 and done.headers["Location"].endswith(f"/panel/issue/{week.linear}/{issue}")
        assert "Undo" in client.get(f"/panel/issue/{week.linear}/{issue}").text
        with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
            assert session.scalar(sql_select(User.name).where(User.id == week.owner_id)) == "Olive Owner"
        assert _check_ins(app) == 1
        app.extensions["okrsync.queue"].drain(timeout=60)
