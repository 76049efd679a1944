"""LLM settings: the key is encrypted, never shown again, and a test call says what went wrong."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from config.instance_settings import LLM_ACTION
from okr_core.models import AuditEntry
from tests.okrsync.admin.conftest import PLANTED
from tests.okrsync.admin.fake_llm import FakeLLM
from tests.okrsync.admin.web import post_form, read_rows


@pytest.fixture
def llm():
    with FakeLLM(PLANTED.llm_key) as server:
        yield server


def allow_localhost(admin_client) -> None:
    assert post_form(admin_client, "/admin/llm", "/admin/allowlist",
                     hosts="127.0.0.1").status_code == 200


def save_llm(admin_client, **fields):
    return post_form(admin_client, "/admin/llm", **fields)


def test_the_key_is_stored_encrypted_and_the_form_only_says_it_is_set(admin_client, db):
    response = save_llm(admin_client, model="gpt-4o-mini", base_url="", api_key=PLANTED.llm_key)
    assert response.status_code == 200
    (entry,) = read_rows(db, select(AuditEntry).where(AuditEntry.action == LLM_ACTION))
    assert PLANTED.llm_key not in str(entry.detail)
    assert entry.detail["api_key_encrypted"]
    page = admin_client.get("/admin/llm").get_data(as_text=True)
    assert "set — leave blank to keep" in page
    audit = admin_client.get("/admin/audit").get_data(as_text=True)
    assert entry.detail["api_key_encrypted"] not in audit


def test_a_test_call_reaches_the_configured_server_with_the_saved_key(admin_client, llm):
    allow_localhost(admin_client)
    save_llm(admin_client, model="local-model", base_url=llm.base_url, api_key=PLANTED.llm_key)
    page = post_form(admin_client, "/admin/llm", "/admin/llm/test").get_data(as_text=True)
    assert "The model local-model answered: &#39;ready&#39;" in page
    assert llm.requests[-1]["body"]["model"] == "local-model"


def test_a_blank_key_keeps_the_saved_one(admin_client, llm):
    allow_localhost(admin_client)
    save_llm(admin_client, model="m1", base_url=llm.base_url, api_key=PLANTED.llm_key)
    save_llm(admin_client, model="m2", base_url=llm.base_url, api_key="")
    page = post_form(admin_client, "/admin/llm", "/admin/llm/test").get_data(as_text=True)
    assert "The model m2 answered" in page


def test_a_rejected_key_is_reported_plainly(admin_client, llm):
    allow_localhost(admin_client)
    save_llm(admin_client, model="m", base_url=llm.base_url, api_key="sk-wrong-key-123456")
    page = post_form(admin_client, "/admin/llm", "/admin/llm/test").get_data(as_text=True)
    assert "rejected the API key (401)" in page
    assert "sk-wrong-key-123456" not in page


def test_without_an_admin_key_the_environment_key_is_used(admin_client):
    allow_localhost(admin_client)
    with FakeLLM(PLANTED.env_openai_key) as env_llm:
        save_llm(admin_client, model="m", base_url=env_llm.base_url, api_key="")
        page = post_form(admin_client, "/admin/llm", "/admin/llm/test").get_data(as_text=True)
    assert "The model m answered" in page


def test_an_llm_base_url_on_a_private_address_is_refused_unless_allowlisted(admin_client):
    response = save_llm(admin_client, model="m", base_url="https://10.0.0.5/v1", api_key="")
    assert response.status_code == 422
    assert "private, loopback or link-local" in response.get_data(as_text=True)


@pytest.mark.parametrize("fields, message", [
    ({"model": "", "base_url": ""}, "Fill this in."),
    ({"model": "m", "base_url": "not a url"}, "Enter an absolute URL."),
])
def test_bad_llm_settings_are_422_with_the_reason(admin_client, fields, message):
    response = save_llm(admin_client, **fields)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_a_test_without_any_key_says_so(app, admin_client, settings):
    app.config["SETTINGS"] = settings.with_overrides(openai_api_key=None)
    page = post_form(admin_client, "/admin/llm", "/admin/llm/test").get_data(as_text=True)
    assert "No API key is set" in page


def test_bad_allowlist_entries_are_refused(admin_client):
    response = post_form(admin_client, "/admin/llm", "/admin/allowlist",
                         hosts="127.0.0.1\nhttp://evil.example/")
    assert response.status_code == 422
    assert "Not a host, host:port or CIDR: http://evil.example/" in response.get_data(as_text=True)


def test_an_allowlist_post_without_the_hosts_field_is_a_form_error(admin_client):
    response = post_form(admin_client, "/admin/llm", "/admin/allowlist")
    assert response.status_code == 422
    assert "Give the list of hosts" in response.get_data(as_text=True)
