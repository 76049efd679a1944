"""Settings an admin changes at run time (LLM, outbound allowlist).

Each change is an audit entry `settings.<name>` whose detail is the new value, so the newest entry
is the current value and the log says who changed it when; no table of its own is needed.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from config.audit import latest_entry, record_audit
from config.secrets import SecretBox
from config.settings import Settings

LLM_ACTION = "settings.llm"
ALLOWLIST_ACTION = "settings.allowlist"


@dataclass(frozen=True)
class LlmSettings:
    """The LLM the analysis narrates with; `api_key` is decrypted and must stay in memory."""

    model: str
    base_url: str | None
    api_key: str | None = None
    key_from_admin: bool = False


def load_llm_settings(session: Session, settings: Settings, box: SecretBox) -> LlmSettings:
    """The admin's LLM settings when saved, else those from the environment."""
    entry = latest_entry(session, LLM_ACTION)
    if entry is None:
        return LlmSettings(settings.llm_model, settings.llm_base_url, settings.openai_api_key)
    detail = entry.detail or {}
    stored_key = box.decrypt(detail.get("api_key_encrypted", ""))
    return LlmSettings(detail.get("model") or settings.llm_model, detail.get("base_url") or None,
                       stored_key or settings.openai_api_key, bool(stored_key))


def save_llm_settings(session: Session, actor_id: int, box: SecretBox, model: str,
                      base_url: str | None, new_key: str | None) -> None:
    """Record new LLM settings; a blank `new_key` keeps the stored key."""
    previous = latest_entry(session, LLM_ACTION)
    key_encrypted = (previous.detail or {}).get("api_key_encrypted", "") if previous else ""
    if new_key:
        key_encrypted = box.encrypt(new_key)
    record_audit(session, actor_id, LLM_ACTION, "llm", {
        "model": model, "base_url": base_url or "", "key_changed": bool(new_key),
        "api_key_encrypted": key_encrypted})


def load_allowlist(session: Session) -> tuple[str, ...]:
    """Hosts, host:port pairs or CIDRs an admin allowed although private."""
    entry = latest_entry(session, ALLOWLIST_ACTION)
    return tuple((entry.detail or {}).get("hosts", ())) if entry else ()


def save_allowlist(session: Session, actor_id: int, hosts: list[str]) -> None:
    record_audit(session, actor_id, ALLOWLIST_ACTION, "outbound allowlist", {"hosts": hosts})
