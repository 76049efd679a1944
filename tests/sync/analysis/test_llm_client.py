"""The one LLM client refuses private addresses before connecting, for narratives and admin tests alike."""
from __future__ import annotations

import openai
import pytest
import responses

from config.urlsafety import UnsafeURL
from sync.analysis.llm_client import pinned_llm_client, refusal_behind


def test_the_llm_client_refuses_a_private_base_url_without_sending_anything():
    client = pinned_llm_client("sk-test", "https://10.0.0.7/v1", (), timeout=5, max_retries=0)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        with pytest.raises(openai.APIConnectionError) as raised:
            client.models.list()
        assert len(mock.calls) == 0
    assert isinstance(refusal_behind(raised.value), UnsafeURL)


def test_an_allowlisted_private_address_is_reached_through_the_checked_session():
    client = pinned_llm_client("sk-test", "https://10.0.0.7/v1", ("10.0.0.7",), timeout=5,
                               max_retries=0)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.get("https://10.0.0.7/v1/models", json={"object": "list", "data": []})
        assert list(client.models.list()) == []
