"""The audit log in words: what was done, to whom or what (by name, not "user 5"), and the
recorded detail as short phrases, never the stored action names, keys or dicts."""
from __future__ import annotations

import re

from sqlalchemy import select

from config.instance_settings import ALLOWLIST_ACTION, LLM_ACTION
from config.notification_settings import DEFAULTS_ACTION, SLACK_ACTION, SMTP_ACTION
from okr_core.models import ApiToken, Connection, Team, User
from okrsync.admin.forms import ROLE_WORDS
from okrsync.admin.notification_forms import TLS_LABELS
from ui_panel.login_limit import FAILED, SUCCEEDED
from ui_panel.sync_words import tracker_name

ACTION_WORDS = {
    "connection.created": "Connection added", "connection.edited": "Connection changed",
    "connection.webhook-secret-regenerated": "New webhook secret",
    "connection.deleted": "Connection deleted", "connection.mapping-saved": "Mapping saved",
    "delivery.retried": "Webhook delivery sent again", "link.resolution-retried": "Work link read again",
    "user.created": "User added", "user.role-changed": "Role changed",
    "user.activated": "User activated", "user.deactivated": "User deactivated",
    "team.created": "Team added", "token.created": "API token created", "token.revoked": "API token revoked",
    LLM_ACTION: "LLM settings saved", ALLOWLIST_ACTION: "Outbound allowlist saved",
    SMTP_ACTION: "Email server saved", SLACK_ACTION: "Slack settings saved",
    DEFAULTS_ACTION: "Reminder and digest defaults saved",
    FAILED: "Sign-in refused", SUCCEEDED: "Signed in",
}
SUBJECT_WORDS = {"llm": "LLM", "smtp": "Email server", "slack": "Slack",
                 "outbound allowlist": "Outbound allowlist",
                 "notification defaults": "Reminders and digests"}
NUMBERED = re.compile(r"^(user|connection|team|token|delivery|link|slack team) (\d+)$")
NAMED_BY = {"user": User.name, "connection": Connection.name, "team": Team.name,
            "token": ApiToken.name, "slack team": Team.name}
NUMBERED_WORDS = {"delivery": "Webhook delivery", "link": "Work link"}
DETAIL_WORDS = {
    "base_url": "address", "user_id": "user", "via": "through", "key_changed": "key changed",
    "credentials_changed": "credentials changed", "password_changed": "password changed",
    "password_cleared": "password cleared", "token_changed": "bot token changed",
    "webhook_changed": "team webhook changed", "mail_from": "sender", "tls": "encryption",
    "default_channel": "default channel", "skip_days": "no reminder within (days)",
    "story_points_field": "story points field", "fields": "fields changed",
}
VIA_WORDS = {"api": "the API", "admin": "the admin pages"}


def audit_rows(session, entries) -> list[tuple]:
    """(when, who, action words, subject words, detail words) for (entry, email, detail) rows."""
    names = _names(session, [entry.subject for entry, _email, _detail in entries]
                   + [f"user {d['user_id']}" for _e, _m, d in entries if isinstance(d.get("user_id"), int)])
    return [(entry.at, email, ACTION_WORDS.get(entry.action, _plain(entry.action)),
             _subject(entry.action, entry.subject, names), _detail(detail, names))
            for entry, email, detail in entries]


def _names(session, subjects) -> dict[str, str]:
    """Each "user 5"-like subject's name today, one query per kind of thing."""
    wanted: dict[str, set[int]] = {}
    for subject in subjects:
        found = NUMBERED.match(subject or "")
        if found and found.group(1) in NAMED_BY:
            wanted.setdefault(found.group(1), set()).add(int(found.group(2)))
    names = {}
    for kind, ids in wanted.items():
        column = NAMED_BY[kind]
        for row_id, name in session.execute(select(column.class_.id, column).where(column.class_.id.in_(ids))):
            names[f"{kind} {row_id}"] = name
    return names


def _subject(action: str, subject: str | None, names: dict[str, str]) -> str:
    if action in (FAILED, SUCCEEDED):   # the e-mail asked for and the client's address
        email, _, address = (subject or "").partition("|")
        return f"{email} from {address}" if address else email
    found = NUMBERED.match(subject or "")
    if found is None:
        return SUBJECT_WORDS.get(subject or "", subject or "—")
    kind, number = found.groups()
    if kind in NUMBERED_WORDS:
        return f"{NUMBERED_WORDS[kind]} #{number}"
    name = names.get(subject)
    if kind == "slack team":
        return f"Slack for {name or 'a removed team'}"
    return name or f"a removed {kind}"


def _detail(detail: dict, names: dict[str, str]) -> str:
    parts = []
    for key, value in detail.items():
        if key == "teams" and isinstance(value, dict):   # Slack's per-team channels
            parts += [f"{names.get(f'slack team {t}') or 'team'}: channel {(v or {}).get('channel') or 'none'}"
                      for t, v in value.items()]
            continue
        parts.append(f"{DETAIL_WORDS.get(key, _plain(key))}: {_value(key, value, names)}")
    return "; ".join(parts)


def _value(key: str, value, names: dict[str, str]) -> str:
    if key == "role":
        return ROLE_WORDS.get(value, str(value))
    if key == "tracker":
        return tracker_name(value)
    if key == "via":
        return VIA_WORDS.get(value, str(value))
    if key == "tls":
        return TLS_LABELS.get(value, str(value))
    if key == "user_id":
        return names.get(f"user {value}", "a removed user")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) if key == "fields" else str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{_plain(k)} {_value(k, v, names)}" for k, v in value.items())
    return str(value)


def _plain(name) -> str:
    """A stored name as words: "story_points_field" reads "story points field"."""
    return re.sub(r"[._-]+", " ", str(name)).strip()
