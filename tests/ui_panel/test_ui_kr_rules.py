"""Pages follow the key result rules: empty check-ins refused, "not started" said in words."""
from __future__ import annotations

from sqlalchemy import func, select

from okr_core.domain import Measure
from okr_core.models import CheckIn, KeyResult, Objective
from tests.ui_panel.conftest import csrf_token, scalar


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


def _kr_by_title(db, title: str) -> KeyResult:
    kr = db.scalar(select(KeyResult).where(KeyResult.title == title))
    db.commit()
    return kr


def test_values_are_written_by_their_unit(admin_client, db, demo):
    kr = _kr_by_title(db, "Grow paying workspaces from 120 to 300")
    kr.current_value = 181.45
    db.commit()
    page = admin_client.get("/").text
    assert "181 of 300 workspaces" in page and "181.45" not in page
    ratio = _kr_by_title(db, "Deliver the Jira sync epic")
    detail = admin_client.get(f"/key-results/{ratio.id}").text
    assert "% of 100% (from 0%)" in detail


def test_a_closed_cycle_shows_final_scores_and_labels_instead_of_status(admin_client, db, demo):
    from okr_core.cycle_close import close_cycle
    from okr_core.models import Cycle, utcnow
    close_cycle(db, db.get(Cycle, demo), utcnow())
    db.commit()
    page = admin_client.get(f"/?cycle={demo}").text
    assert 'class="final-score"' in page and "data-final-score" in page
    assert 'class="status status-' not in page
    assert any(label in page for label in ("Delivered successfully", "Made progress but fell short",
                                           "Failed to deliver", "Exceeded expectations"))
    from tests.ui_panel.conftest import linked_issue
    connection_id, key, _ = linked_issue(db)
    panel = admin_client.get(f"/panel/issue/{connection_id}/{key}").text
    assert 'class="final-score"' in panel and 'class="status status-' not in panel
    kr = _kr_by_title(db, "Grow paying workspaces from 120 to 300")
    detail = admin_client.get(f"/key-results/{kr.id}").text
    assert f'<span class="score score-' in detail and "status status-" not in detail.split(
        "Recent check-ins")[0]


def test_value_decimals_setting_is_checked():
    import pytest

    from ui_panel.formatting import configured_decimals
    assert configured_decimals({}) == 1 and configured_decimals({"OKRSYNC_VALUE_DECIMALS": "3"}) == 3
    for bad in ("-1", "five", "9"):
        with pytest.raises(ValueError, match="OKRSYNC_VALUE_DECIMALS"):
            configured_decimals({"OKRSYNC_VALUE_DECIMALS": bad})
