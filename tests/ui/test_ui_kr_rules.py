"""Pages follow the key result rules: empty check-ins refused, "not started" said in words."""
from __future__ import annotations

from sqlalchemy import func, select

from okr_core.domain import Measure
from okr_core.models import CheckIn, KeyResult, Objective
from tests.ui.conftest import csrf_token, scalar


def _new_kr(db, measure: Measure = Measure.MANUAL, **fields) -> int:
    objective_id = scalar(db, select(Objective.id).order_by(Objective.id))
    fields.setdefault("target_value", 12)
    kr = KeyResult(objective_id=objective_id, title="Signed pilots from 0 to 12", start_value=0,
                   unit="pilots", measure=measure, **fields)
    db.add(kr)
    db.commit()
    return kr.id


def test_an_empty_check_in_is_a_form_error_and_saves_nothing(admin_client, db, demo):
    kr_id = _new_kr(db)
    token = csrf_token(admin_client, f"/key-results/{kr_id}")
    response = admin_client.post(f"/key-results/{kr_id}/check-ins", data={
        "csrf_token": token, "value": "", "status": "", "confidence": "", "note": "  ",
        "blockers": "", "wins": ""})
    assert response.status_code == 422
    assert "This check-in is empty" in response.text and 'role="alert"' in response.text
    count = scalar(db, select(func.count()).select_from(CheckIn)
                   .where(CheckIn.key_result_id == kr_id))
    assert count == 0


def test_a_new_kr_reads_not_started_with_what_is_missing(admin_client, db, demo):
    manual = _new_kr(db)
    linked = _new_kr(db, Measure.WORK_DONE_RATIO)
    page = admin_client.get(f"/key-results/{manual}").text
    assert 'data-status="not_started"' in page and "no check-in yet" in page
    assert '<span class="status status-not_started">Not started</span>' in page
    assert "no linked work yet" in admin_client.get(f"/key-results/{linked}").text


def test_a_kr_without_target_shows_the_guides_warning_where_it_is_edited(admin_client, db,
                                                                          demo):
    kr_id = _new_kr(db, target_value=None)
    page = admin_client.get(f"/key-results/{kr_id}").text
    assert "has no numeric target" in page and "stays a draft" in page
