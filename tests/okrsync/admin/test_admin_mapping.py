"""Mapping settings: filled from the tracker where the connector can, free fields otherwise."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from okr_core.models import Connection
from tests.okrsync.admin.conftest import PLANTED
from tests.okrsync.admin.web import post_form, read_rows
from tests.simtracker import SimTracker


@pytest.fixture
def sim():
    with SimTracker.start(issues=3) as tracker:
        yield tracker


@pytest.fixture
def jira_id(admin_client, sim, db) -> int:
    post_form(admin_client, "/admin/llm", "/admin/allowlist", hosts="127.0.0.1")
    post_form(admin_client, "/admin/connections/new", tracker="jira", name="Sim", base_url=sim.url,
              jira_email="bot@acme.example", jira_api_token=PLANTED.jira_token)
    (connection,) = read_rows(db, select(Connection))
    return connection.id


def test_filling_from_jira_finds_the_story_points_field_and_names_what_it_cannot(admin_client,
                                                                                jira_id, sim):
    page = post_form(admin_client, f"/admin/connections/{jira_id}/mapping",
                     f"/admin/connections/{jira_id}/mapping/discover").get_data(as_text=True)
    assert "Filled from Jira: story_points_field" in page
    field_id = next(f["id"] for f in sim_fields() if f["name"] == "Story Points")
    assert f'value="{field_id}"' in page
    assert "does not report" in page and "done_states" in page and "teams" in page


def sim_fields() -> list[dict]:
    from tests.simtracker.jira_api import FIELDS

    return FIELDS


def test_saving_the_mapping_stores_it_on_the_connection(admin_client, jira_id, db):
    response = post_form(admin_client, f"/admin/connections/{jira_id}/mapping",
                         story_points_field="customfield_10016", kr_issue_type="Task",
                         timezone="Europe/Berlin", done_states="Done\nClosed\n", teams="PLAT")
    assert response.status_code == 200 and "Mapping saved." in response.get_data(as_text=True)
    (connection,) = read_rows(db, select(Connection))
    assert connection.settings["story_points_field"] == "customfield_10016"
    assert connection.settings["done_states"] == ["Done", "Closed"]
    assert connection.settings["deployment"] == "cloud"  # other settings are kept


def test_a_bad_mapping_is_422_and_changes_nothing(admin_client, jira_id, db):
    response = post_form(admin_client, f"/admin/connections/{jira_id}/mapping",
                         story_points_field="Story Points!")
    assert response.status_code == 422
    assert "A field id such as customfield_10016." in response.get_data(as_text=True)
    (connection,) = read_rows(db, select(Connection))
    assert "story_points_field" not in connection.settings


def test_filling_from_an_unreachable_tracker_says_why(admin_client, jira_id, sim):
    sim.auth_ok = False
    page = post_form(admin_client, f"/admin/connections/{jira_id}/mapping",
                     f"/admin/connections/{jira_id}/mapping/discover").get_data(as_text=True)
    assert "Could not ask the tracker" in page


def test_not_done_resolutions_default_to_wont_do_and_friends_and_can_be_changed(admin_client, jira_id, db):
    page = admin_client.get(f"/admin/connections/{jira_id}/mapping").get_data(as_text=True)
    assert "Resolutions that do not count as done" in page
    assert "Won&#39;t Do\nWon&#39;t Fix\nDuplicate\nCannot Reproduce\nDeclined" in page
    db.rollback()
    connection = db.get(Connection, jira_id)   # what a job cached about the site
    connection.settings = {**connection.settings, "site_facts": {"time_zone": "UTC"}}
    db.commit()
    db.expunge_all()
    response = post_form(admin_client, f"/admin/connections/{jira_id}/mapping",
                         not_done_resolutions="Won't Do\nObsolete\n")
    assert "Mapping saved." in response.get_data(as_text=True)
    (connection,) = read_rows(db, select(Connection))
    assert connection.settings["not_done_resolutions"] == ["Won't Do", "Obsolete"]
    assert "site_facts" not in connection.settings   # saving asks the site afresh next time


def test_a_resolution_list_with_control_characters_is_refused_beside_the_field(admin_client, jira_id, db):
    response = post_form(admin_client, f"/admin/connections/{jira_id}/mapping",
                         not_done_resolutions="Won't Do\x07")
    assert response.status_code == 422
    assert "Plain resolution names, one a line." in response.get_data(as_text=True)
    (connection,) = read_rows(db, select(Connection))
    assert "not_done_resolutions" not in connection.settings
