"""Closing a cycle with its owners: an admin starts the close, each KR's owner enters final
values (My OKRs, or the close page filtered to their KRs), the admin reviews and closes."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from okr_core.domain import Measure, Role
from okr_core.models import CheckIn, Cycle, KeyResult, Objective, User
from tests.ui_panel.conftest import csrf_token, scalar, sign_in

CLOSE_BUTTON = "Close cycle and record these scores"


def _owned_manual_krs(db, cycle_id: int) -> list[tuple[int, int]]:
    """(kr id, owner id) of the cycle's manual KRs owned by non-admins, by KR id."""
    rows = db.execute(select(KeyResult.id, KeyResult.owner_id)
                      .join(Objective, Objective.id == KeyResult.objective_id)
                      .join(User, User.id == KeyResult.owner_id)
                      .where(Objective.cycle_id == cycle_id, KeyResult.measure == Measure.MANUAL,
                             User.role != Role.ADMIN).order_by(KeyResult.id)).all()
    db.commit()
    return [tuple(row) for row in rows]


@pytest.fixture
def owners(app, db, demo):
    """(owner client, the owner's KR id, another owner's KR id) in the demo cycle."""
    krs = _owned_manual_krs(db, demo)
    mine_id, owner_id = krs[0]
    other_id = next(kr for kr, owner in krs if owner != owner_id)
    return sign_in(app.test_client(), owner_id), mine_id, other_id


def _start_close(admin_client, cycle_id: int):
    token = csrf_token(admin_client, f"/cycles/{cycle_id}/close")
    return admin_client.post(f"/cycles/{cycle_id}/start-close", data={"csrf_token": token})


def _post_values(client, cycle_id: int, fields: dict, **extra):
    token = csrf_token(client, f"/cycles/{cycle_id}/close")
    return client.post(f"/cycles/{cycle_id}/final-values",
                       data={"csrf_token": token, "action": "save", **fields, **extra})


def test_owners_may_not_enter_final_values_before_an_admin_starts_closing(admin_client, demo,
                                                                          owners):
    owner, mine, _other = owners
    assert owner.get(f"/cycles/{demo}/close").status_code == 403
    token = csrf_token(owner, "/mine")
    assert "Final values for" not in owner.get("/mine").text
    refused = owner.post(f"/cycles/{demo}/final-values",
                         data={"csrf_token": token, f"final-{mine}": "5"})
    assert refused.status_code == 403
    assert owner.post(f"/cycles/{demo}/start-close", data={"csrf_token": token}).status_code == 403


def test_an_owner_enters_their_final_values_and_the_admin_reviews_them(admin_client, db, demo,
                                                                       owners):
    owner, mine, other = owners
    assert _start_close(admin_client, demo).status_code == 302
    assert scalar(db, select(Cycle.close_started_at).where(Cycle.id == demo)) is not None
    my_okrs = owner.get(f"/mine?cycle={demo}").text
    assert "Final values for" in my_okrs and f'name="final-{mine}"' in my_okrs
    assert f'name="final-{other}"' not in my_okrs
    page = owner.get(f"/cycles/{demo}/close").text
    assert f'name="final-{mine}"' in page and f'name="final-{other}"' not in page
    assert CLOSE_BUTTON not in page and "All key results" not in page

    saved = _post_values(owner, demo, {f"final-{mine}": "42", f"final-note-{mine}": "Shipped late"},
                         back="mine", show="mine")
    assert saved.status_code == 302 and saved.headers["Location"].startswith("/mine")
    db.expire_all()
    assert scalar(db, select(KeyResult.current_value).where(KeyResult.id == mine)) == 42
    note = scalar(db, select(CheckIn.note).where(CheckIn.key_result_id == mine)
                  .order_by(CheckIn.id.desc()).limit(1))
    assert note == "Final value at close: Shipped late"

    review = admin_client.get(f"/cycles/{demo}/close").text
    assert re.search(r"<strong>1 of \d+</strong> key results", review)
    assert "Entered 42" in review and "Shipped late" in review and CLOSE_BUTTON in review
    filtered = admin_client.get(f"/cycles/{demo}/close?show=mine").text
    assert f'name="final-{mine}"' not in filtered  # the admin owns none of the members' KRs


def test_an_owner_cannot_enter_another_owners_key_result(admin_client, db, demo, owners):
    owner, mine, other = owners
    _start_close(admin_client, demo)
    before = scalar(db, select(func.count()).select_from(CheckIn))
    refused = _post_values(owner, demo, {f"final-{mine}": "1", f"final-{other}": "99"})
    assert refused.status_code == 403
    refused_note = _post_values(owner, demo, {f"final-note-{other}": "not mine"})
    assert refused_note.status_code == 403
    assert scalar(db, select(func.count()).select_from(CheckIn)) == before


def test_members_cannot_close_the_cycle(admin_client, demo, owners):
    owner, mine, _other = owners
    _start_close(admin_client, demo)
    token = csrf_token(owner, f"/cycles/{demo}/close")
    closing = owner.post(f"/cycles/{demo}/close",
                         data={"csrf_token": token, "action": "close", f"final-{mine}": "3"})
    assert closing.status_code == 403


@pytest.mark.parametrize("fields, field, message", [
    ({"final-{kr}": "lots"}, "final-{kr}", "Enter a number, such as 12 or 4.5."),
    ({"final-{kr}": "1e400"}, "final-{kr}", "Enter a finite number."),
    ({"final-{kr}": "", "final-note-{kr}": "Why it slipped"}, "final-{kr}",
     "Enter the final value this note explains."),
    ({"final-{kr}": "3", "final-note-{kr}": "<script>x</script>"}, "final-note-{kr}",
     "Write plain text: HTML tags such as &lt;b&gt; are not allowed here."),
    ({"final-{kr}": "3", "final-note-{kr}": "x" * 20_001}, "final-note-{kr}",
     "Keep it to 20,000 characters or fewer."),
])
def test_bad_final_values_are_refused_beside_the_field_keeping_the_typing(
        admin_client, db, demo, owners, fields, field, message):
    owner, mine, _other = owners
    _start_close(admin_client, demo)
    before = scalar(db, select(func.count()).select_from(CheckIn))
    sent = {name.format(kr=mine): value for name, value in fields.items()}
    page = _post_values(owner, demo, sent, show="mine")
    assert page.status_code == 422
    name = field.format(kr=mine)
    error = re.search(rf'<p class="field-error" id="err-{name}" role="alert">([^<]*)</p>', page.text)
    assert error and error.group(1) == message
    typed = sent[f"final-{mine}"]
    if typed and len(typed) < 100:
        assert f'value="{typed}"' in page.text
    assert scalar(db, select(func.count()).select_from(CheckIn)) == before


def test_a_closed_cycle_takes_no_more_final_values(admin_client, db, demo, owners):
    owner, mine, _other = owners
    _start_close(admin_client, demo)
    token = csrf_token(admin_client, f"/cycles/{demo}/close")
    assert admin_client.post(f"/cycles/{demo}/close",
                             data={"csrf_token": token, "action": "close"}).status_code == 302
    assert owner.get(f"/cycles/{demo}/close").status_code == 403
    late = owner.post(f"/cycles/{demo}/final-values",
                      data={"csrf_token": csrf_token(owner, "/mine"), f"final-{mine}": "8"})
    assert late.status_code == 302
    assert "already closed" in owner.get(late.headers["Location"]).text
    again = admin_client.post(f"/cycles/{demo}/start-close", data={"csrf_token": token})
    assert "already closed" in admin_client.get(again.headers["Location"]).text


def test_the_close_page_is_paged_by_objective(app, admin_client, db, demo, monkeypatch):
    monkeypatch.setattr("ui_panel.close_rows.OBJECTIVES_PER_PAGE", 2)
    objectives = scalar(db, select(func.count()).select_from(Objective)
                        .where(Objective.cycle_id == demo, Objective.archived.is_(False)))
    first = admin_client.get(f"/cycles/{demo}/close").text
    assert first.count('class="objective-score"') == 2
    assert f"Page 1 of {(objectives + 1) // 2}" in first and 'rel="next"' in first
    last = admin_client.get(f"/cycles/{demo}/close?page=999").text
    assert f"Page {(objectives + 1) // 2} of" in last and 'rel="next"' not in last
    assert admin_client.get(f"/cycles/{demo}/close?page=abc").status_code == 200


def test_an_admin_closes_a_cycle_without_objectives(admin_client, db, demo):
    empty = Cycle(name="Q3 2031", start_date=date(2031, 7, 1), end_date=date(2031, 9, 30),
                  status="active")
    db.add(empty)
    db.commit()
    page = admin_client.get(f"/cycles/{empty.id}/close").text
    assert "Q3 2031 has no objectives." in page and CLOSE_BUTTON in page
    assert "Save final values" not in page
    token = csrf_token(admin_client, f"/cycles/{empty.id}/close")
    closed = admin_client.post(f"/cycles/{empty.id}/close",
                               data={"csrf_token": token, "action": "close"})
    assert closed.status_code == 302
    assert scalar(db, select(Cycle.status).where(Cycle.id == empty.id)) == "closed"
