"""The web check-in form: CSRF, per-field validation, and the same domain steps as the API."""
from __future__ import annotations

from sqlalchemy import func, select

from okr_core.domain import Measure
from okr_core.models import CheckIn, KeyResult
from tests.ui_panel.conftest import csrf_token, scalar


def _manual_kr(db) -> int:
    return scalar(db, select(KeyResult.id).where(KeyResult.measure == Measure.MANUAL)
                  .order_by(KeyResult.id))


def _check_ins(db, kr_id: int) -> int:
    return scalar(db, select(func.count()).select_from(CheckIn)
                  .where(CheckIn.key_result_id == kr_id))


def test_check_in_without_csrf_token_is_refused(admin_client, db, demo):
    kr_id = _manual_kr(db)
    before = _check_ins(db, kr_id)
    response = admin_client.post(f"/key-results/{kr_id}/check-ins", data={"value": "150"})
    assert response.status_code == 400
    assert _check_ins(db, kr_id) == before


def test_invalid_fields_are_reported_per_field(admin_client, db, demo):
    kr_id = _manual_kr(db)
    before = _check_ins(db, kr_id)
    token = csrf_token(admin_client, f"/key-results/{kr_id}")
    response = admin_client.post(f"/key-results/{kr_id}/check-ins", data={
        "csrf_token": token, "value": "lots", "confidence": "11", "status": "great"})
    assert response.status_code == 422
    html = response.text
    assert 'id="err-value"' in html and 'id="err-confidence"' in html and 'id="err-status"' in html
    assert "Enter 0 to 10." in html
    assert 'aria-invalid="true"' in html
    assert _check_ins(db, kr_id) == before


def test_a_status_of_only_spaces_is_a_field_error_not_a_crash(admin_client, db, demo):
    """WTForms' Optional() ended the status's checks for " ", which then failed KRStatus (a 500)."""
    kr_id = _manual_kr(db)
    before = _check_ins(db, kr_id)
    token = csrf_token(admin_client, f"/key-results/{kr_id}")
    response = admin_client.post(f"/key-results/{kr_id}/check-ins", data={
        "csrf_token": token, "value": "150", "status": " "})
    assert response.status_code == 422
    assert 'id="err-status"' in response.text and "Pick one of the choices." in response.text
    assert _check_ins(db, kr_id) == before


def test_value_on_a_kr_measured_by_work_is_a_field_error(admin_client, db, demo):
    kr_id = scalar(db, select(KeyResult.id).where(KeyResult.measure != Measure.MANUAL))
    token = csrf_token(admin_client, f"/key-results/{kr_id}")
    response = admin_client.post(f"/key-results/{kr_id}/check-ins",
                                 data={"csrf_token": token, "value": "3"})
    assert response.status_code == 422
    assert "comes from its linked work" in response.text


def test_valid_check_in_moves_value_status_and_confidence(admin_client, db, demo):
    kr_id = _manual_kr(db)
    kr = db.get(KeyResult, kr_id)
    target = kr.target_value
    db.commit()
    token = csrf_token(admin_client, f"/key-results/{kr_id}")
    response = admin_client.post(f"/key-results/{kr_id}/check-ins", data={
        "csrf_token": token, "value": str(target), "status": "off_track", "confidence": "3",
        "note": "Landed the big deal", "blockers": "Waiting on legal", "wins": "Deal signed"})
    assert response.status_code == 302
    db.expire_all()
    kr = db.get(KeyResult, kr_id)
    assert kr.current_value == target and kr.progress == 1.0
    assert kr.status == "off_track" and kr.confidence == 3
    latest = db.scalar(select(CheckIn).where(CheckIn.key_result_id == kr_id)
                       .order_by(CheckIn.id.desc()).limit(1))
    assert (latest.blockers, latest.wins, latest.source) == ("Waiting on legal", "Deal signed",
                                                             "manual")
    db.commit()
    page = admin_client.get(f"/key-results/{kr_id}").text
    assert "Check-in saved." in page and "Landed the big deal" in page
