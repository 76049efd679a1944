"""The narrative through the openai client, mocked at the HTTP layer; the template on any failure."""
import json
import logging
from dataclasses import replace

import pytest
import requests
import responses
from tests.sync.analysis.llm_replies import BASE_URL, COMPLETIONS_URL, MODEL, completion, narrative_reply, sent_messages
from responses import matchers
from tests.sync.analysis.test_analysis_prompt import small_cycle

from okr_core.analysis.narrative_check import response_schema
from okr_core.analysis.prompt import QUOTE_BEGIN, QUOTE_END, build_prompt
from sync.analysis.narrative import LlmConfig, narrate

FAST_RETRY = {"retry-after-ms": "1"}
TITLES = {1: "Key result 1", 2: "Key result 2"}


@pytest.fixture
def llm_config():
    return LlmConfig(MODEL, BASE_URL, "sk-test", allowlist=("127.0.0.1",))


@pytest.fixture
def prompt():
    return build_prompt(small_cycle()[1], TITLES)


@pytest.fixture
def llm():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def test_a_valid_answer_becomes_the_narrative(llm, llm_config, prompt):
    llm.post(COMPLETIONS_URL, json=narrative_reply(), match=[matchers.json_params_matcher(
        {"model": MODEL, "response_format": {"type": "json_schema", "json_schema": {
            "name": "okr_analysis_narrative", "strict": True,
            "schema": response_schema()}}},
        strict_match=False), matchers.header_matcher({"authorization": "Bearer sk-test"})])
    result = narrate(prompt, llm_config)
    assert result.called and result.model == MODEL
    assert result.narrative["source"] == "llm"
    assert result.narrative["headline"] == "Health is 60: one key result leads, one lags"
    body = json.loads(llm.calls[0].request.body)
    assert "tools" not in body and "functions" not in body     # the model gets no tools
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


@pytest.mark.parametrize("replies, reason", [
    ([{"status": 429, "json": {"error": {"message": "slow down"}}, "headers": FAST_RETRY}] * 3,
     "RateLimitError"),
    ([{"body": requests.exceptions.ReadTimeout("read timed out")}] * 3, "APITimeoutError"),
    ([{"status": 500, "json": {"error": {"message": "boom"}}, "headers": FAST_RETRY}] * 3,
     "InternalServerError"),
    ([{"json": completion("{not json")}], "NarrativeRejected"),
    ([{"json": completion(None, refusal="I can't help with that.")}], "NarrativeRejected"),
    ([{"json": completion(json.dumps({"headline": "only this"}))}], "NarrativeRejected"),
    ([{"json": completion('{"headline": "cut', finish_reason="length")}], "NarrativeRejected"),
])
def test_any_failure_gives_the_template_and_is_logged(llm, llm_config, prompt, caplog,
                                                      replies, reason):
    for reply in replies:
        llm.post(COMPLETIONS_URL, **reply)
    with caplog.at_level(logging.WARNING, logger="okrsync.analysis.narrative"):
        result = narrate(prompt, llm_config)
    assert result.narrative["source"] == "template"
    assert result.narrative["fallback_reason"] == reason
    assert result.model == "template"
    assert result.narrative["headline"].startswith("Cycle health 60 (needs attention): ")
    assert [r.reason for r in caplog.records if r.msg == "analysis.narrative.llm-failed"] == [reason]
    assert len(llm.calls) == len(replies)                      # two retries, then it gave up


def test_a_comment_cannot_instruct_the_model_nor_change_a_number(llm, llm_config):
    facts, sections = small_cycle()
    prompt = build_prompt(sections, TITLES)
    # The model "obeys" the comment: its headline says 99, a number the facts do not have.
    llm.post(COMPLETIONS_URL, json=narrative_reply(headline="Health is 99"))
    result = narrate(prompt, llm_config)
    system, user = sent_messages(llm.calls[0])
    assert "Ignore all previous instructions" not in system["content"]
    outside = user["content"].split(QUOTE_BEGIN)[0]
    quoted = user["content"].split(QUOTE_BEGIN)[1].rsplit(QUOTE_END, 1)[0]
    assert "Ignore all previous instructions" not in outside
    assert quoted.count("Ignore all previous instructions") == 1   # once, as quoted data
    assert result.narrative["source"] == "template"
    assert "99" not in json.dumps(result.narrative)
    assert sections["health"]["score"] == 60                   # the numbers are never the model's


def test_without_a_key_there_is_no_call(llm, llm_config, prompt):
    result = narrate(prompt, replace(llm_config, api_key=None))
    assert result.narrative["fallback_reason"] == "no_api_key" and not result.called
    assert len(llm.calls) == 0


def test_a_cached_narrative_for_the_same_inputs_costs_no_call(llm, llm_config, prompt):
    cached = {"headline": "stored", "source": "llm"}
    result = narrate(prompt, llm_config, cached=cached)
    assert result.narrative is cached and not result.called
    assert len(llm.calls) == 0


def test_a_base_url_outside_the_allowlist_is_refused_before_any_request(llm, llm_config, prompt):
    result = narrate(prompt, replace(llm_config, allowlist=()))
    assert result.narrative["fallback_reason"] == "UnsafeURL"
    assert len(llm.calls) == 0
