"""OpenAI-compatible /chat/completions replies for the narrative tests (mocked with `responses`)."""
from __future__ import annotations

import json

BASE_URL = "http://127.0.0.1:8999/v1"
COMPLETIONS_URL = f"{BASE_URL}/chat/completions"
MODEL = "gpt-test-mini"


def completion(content: str | None, refusal: str | None = None, finish_reason: str = "stop"):
    """A chat completion as the server sends it."""
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": 1767225600,
            "model": MODEL, "choices": [{"index": 0, "finish_reason": finish_reason,
                                         "message": {"role": "assistant", "content": content,
                                                     "refusal": refusal}}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020}}


def narrative_reply(**changes):
    """A completion whose content is a narrative (health 60 and KR 1 at 60%, see small_cycle)."""
    narrative = {"headline": "Health is 60: one key result leads, one lags",
                 "summary": "1 of 2 key results is on track.",
                 "highlights": [{"text": "Key result 1 is at 60%", "refs": ["kr:1"]}],
                 "concerns": [{"text": "Key result 2 is off track", "refs": ["kr:2"]}],
                 "recommendations": [{"text": "Escalate the vendor blocker",
                                      "refs": ["blocker:1", "kr:2"]}]}
    return completion(json.dumps({**narrative, **changes}))


def sent_messages(call) -> list[dict]:
    """The messages a recorded call sent."""
    return json.loads(call.request.body)["messages"]
