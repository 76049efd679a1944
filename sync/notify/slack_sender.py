"""Slack: an incoming webhook per team, or the bot token posting with chat.postMessage.

Requests go through the outbound-checked session (config.urlsafety), which slack_sdk's own
urllib clients cannot use; slack_sdk builds the Block Kit payloads (sync.notify.content).
A 429 is never waited out here: its Retry-After goes back to the job, which re-queues itself.
"""
from __future__ import annotations

import re

import requests

from config.notification_settings import SlackTeam
from config.urlsafety import UnsafeURL, safe_session
from sync.notify.content import Message
from sync.notify.errors import PermanentSendFailure, TransientSendFailure

POST_MESSAGE_URL = "https://slack.com/api/chat.postMessage"
TIMEOUT_SECONDS = 15
DEFAULT_RETRY_AFTER = 30.0
TOKEN_ERRORS = {"invalid_token", "invalid_auth", "token_revoked", "token_expired", "not_authed",
                "account_inactive", "no_service", "no_active_hooks", "team_disabled"}
CHANNEL_ERRORS = {"channel_not_found", "not_in_channel", "channel_is_archived", "is_archived"}
_CODE = re.compile(r"^[a-z0-9_]{1,60}$")


def _code(text: str) -> str:
    """Slack's error code, or a neutral word when the body is not one (never echo a body)."""
    text = (text or "").strip()
    return text if _CODE.match(text) else "unexpected_answer"


def _retry_after(response: requests.Response) -> float:
    try:
        return max(1.0, float(response.headers.get("Retry-After", DEFAULT_RETRY_AFTER)))
    except ValueError:
        return DEFAULT_RETRY_AFTER


def _refused(code: str, by_webhook: bool, channel: str) -> PermanentSendFailure:
    if code in TOKEN_ERRORS:
        what = "the team's incoming webhook" if by_webhook else "the bot token"
        return PermanentSendFailure(f"Slack refused {what} ({code}): it was revoked or is wrong. "
                                    "Save a new one in /admin; the messages wait until then.")
    if code in CHANNEL_ERRORS:
        return PermanentSendFailure(f"Slack cannot post to {channel or 'the webhook channel'} "
                                    f"({code}): check the channel, or invite the okrsync app to it.")
    return PermanentSendFailure(f"Slack refused the message ({code}).")


def post_to_slack(destination: SlackTeam, bot_token: str, message: Message,
                  allowlist: tuple[str, ...] = (), resolve=None) -> None:
    """Post one message; SendFailed with a message fit for /admin and the sync page."""
    by_webhook = bool(destination.webhook_url)
    payload = {"text": message.slack_text, "blocks": message.slack_blocks}
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if by_webhook:
        url = destination.webhook_url
    else:
        url, payload["channel"] = POST_MESSAGE_URL, destination.channel
        headers["Authorization"] = f"Bearer {bot_token}"
    session = safe_session(allowlist, resolve) if resolve else safe_session(allowlist)
    try:
        response = session.post(url, json=payload, headers=headers, timeout=TIMEOUT_SECONDS,
                                allow_redirects=False)
    except UnsafeURL as refused:
        raise PermanentSendFailure(f"The Slack address is refused: {refused}") from None
    except requests.RequestException:
        raise TransientSendFailure("Slack could not be reached.") from None
    finally:
        session.close()
    if response.status_code == 429:
        wait = _retry_after(response)
        raise TransientSendFailure(f"Slack asked okrsync to slow down (429); trying again in "
                                   f"{wait:.0f} s.", retry_after=wait)
    if response.status_code >= 500:
        raise TransientSendFailure(f"Slack answered {response.status_code}; trying again later.")
    if by_webhook:
        if response.status_code != 200:
            raise _refused(_code(response.text), True, destination.channel)
        return
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not body.get("ok"):
        raise _refused(_code(str(body.get("error", ""))), False, destination.channel)
