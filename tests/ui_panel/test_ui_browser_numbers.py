"""What the pages show about numbers, in Debian's Chromium: not started, units, final scores,
the reports' team colours and a status the pace contradicts."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from okr_core.domain import KRStatus, Measure
from okr_core.models import KeyResult, Objective
from tests.ui_panel.live_server import screenshot
from tests.ui_panel.test_ui_browser import live, page  # noqa: F401  (shared fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
COLOURS = {"on_track": "rgb(31, 122, 58)", "at_risk": "rgb(138, 109, 0)",
           "off_track": "rgb(179, 38, 30)", "not_started": "rgb(74, 79, 99)"}


def _add_kr(db, title: str, **fields) -> int:
    objective_id = db.scalar(select(Objective.id).order_by(Objective.id))
    kr = KeyResult(objective_id=objective_id, title=title, **fields)
    db.add(kr)
    db.commit()
    return kr.id


def _kr(db, title: str) -> KeyResult:
    kr = db.scalar(select(KeyResult).where(KeyResult.title == title))
    db.commit()
    return kr


def test_a_new_kr_is_not_started_in_its_own_colour_and_says_what_is_missing(page, live, db):
    kr_id = _add_kr(db, "Sign 5 design partners", start_value=0, target_value=5,
                    unit="partners")
    page.reload()  # signed in on "/" before the KR was added
    badge = page.locator(f"#kr-{kr_id} .status")
    expect(badge).to_have_text(re.compile("Not started"))
    assert badge.evaluate("el => getComputedStyle(el).color") == COLOURS["not_started"]
    expect(page.locator(f"#kr-{kr_id} .kr-progress")).to_have_text("no check-in yet")
    page.locator(f"#kr-{kr_id}").scroll_into_view_if_needed()
    screenshot(page, "numbers-company")
    page.goto(f"{live}/key-results/{kr_id}")
    expect(page.locator(".kr-detail .kr-progress")).to_have_text("no check-in yet")
    screenshot(page, "numbers-not-started-kr")


def test_values_are_written_by_their_unit(page, live, db):
    workspaces = _kr(db, "Grow paying workspaces from 120 to 300")
    ratio = _kr(db, "Deliver the Jira sync epic")
    money = _kr(db, "Close $1.2M in new ARR")
    expect(page.locator(f"#kr-{workspaces.id} .kr-value")).to_have_text(
        re.compile(r"^\d{3} of 300 workspaces$"))
    expect(page.locator(f"#kr-{ratio.id} .kr-value")).to_have_text(
        re.compile(r"^\d{1,3}(\.\d)?% of 100%$"))
    expect(page.locator(f"#kr-{money.id} .kr-value")).to_have_text(
        re.compile(r"^\$[\d,]+(\.\d)?k of \$1,200k$"))
    page.goto(f"{live}/key-results/{workspaces.id}")
    values = page.locator("ol.checkins li").all_inner_texts()
    assert values and all(re.search(r"value \d+ workspaces", v) for v in values if "value" in v)
    screenshot(page, "numbers-units-kr")


def test_a_status_the_pace_contradicts_is_flagged_on_the_kr(page, live, db):
    kr_id = _add_kr(db, "Cut P1 incidents from 8 to 2", start_value=8, target_value=2,
                    current_value=7, progress=1 / 6, unit="incidents", measure=Measure.MANUAL,
                    status=KRStatus.ON_TRACK)
    page.goto(f"{live}/key-results/{kr_id}")
    flag = page.locator(".kr-detail .pace-flag")
    expect(flag).to_have_text(re.compile(
        r"^Reported on track, but at the current pace it reaches \d\.\d incidents \(target 2 incidents\)\.$"))
    screenshot(page, "numbers-pace-flag")


def test_reports_colour_teams_by_rolled_up_status_with_the_spread(page, live, db):
    page.goto(f"{live}/reports")
    rows = page.locator("tr.team-row")
    assert rows.count() >= 5
    statuses = []
    for index in range(rows.count()):
        row = rows.nth(index)
        status = row.get_attribute("data-status")
        badge = row.locator(".team-status .status")
        if badge.count():
            assert badge.evaluate("el => getComputedStyle(el).color") == COLOURS[status]
        statuses.append(status)
        spread = [int(cell) for cell in row.locator("td").all_inner_texts()[-4:]]
        assert sum(spread) == int(row.locator("td.team-krs").inner_text())
    assert set(statuses) != {"off_track"}, statuses
    screenshot(page, "numbers-reports")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "numbers-reports-360")


def test_a_closed_cycle_shows_final_scores_and_labels(page, live, db, demo):
    page.goto(f"{live}/cycles/{demo}/close")
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_text("is closed and scored")).to_be_visible()
    page.goto(f"{live}/?cycle={demo}")
    assert page.locator("section.tree .status").count() == 0
    scores = page.locator("section.tree .final-score")
    assert scores.count() > 0
    expect(scores.first).to_contain_text(re.compile(
        r"\d\.\d (Failed to deliver|Made progress but fell short|Delivered successfully|"
        r"Exceeded expectations)"))
    screenshot(page, "numbers-closed-company")
    kr_id = db.scalar(select(KeyResult.id).order_by(KeyResult.id))
    db.commit()
    page.goto(f"{live}/key-results/{kr_id}")
    expect(page.locator(".kr-detail .final-score")).to_contain_text(re.compile(r"\d\.\d"))
    assert page.locator(".kr-detail .row-head .status").count() == 0
    screenshot(page, "numbers-closed-kr")
