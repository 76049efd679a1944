"""Settings read from the environment and an optional `.env` file (SPEC section 5)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import load_dotenv

PRODUCTION = "production"


class SettingsError(ValueError):
    """A setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    redis_url: str | None = None
    secret_key: str = ""
    encryption_keys: tuple[str, ...] = ()
    base_url: str = "http://127.0.0.1:8000"
    openai_api_key: str | None = field(default=None, repr=False)
    llm_model: str = "gpt-4o-mini"
    llm_base_url: str | None = None
    outbound_allowlist: tuple[str, ...] = ()
    environment: str = "development"
    log_format: str = "text"
    embedded_workers: int = 2
    # Defaults for email that /admin can override; the URL holds a password: never shown or logged.
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str | None = None

    @property
    def is_production(self) -> bool:
        return self.environment == PRODUCTION

    def with_overrides(self, **changes) -> "Settings":
        return replace(self, **changes)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _instance_secret(instance: Path, name: str, make) -> str:
    """Read a generated secret from the instance folder, creating it on first use."""
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def load_settings(env: dict[str, str] | None = None, dotenv: bool = True) -> Settings:
    """Build settings from `env` (default: the process environment plus `.env`)."""
    if env is None:
        if dotenv:
            load_dotenv(os.environ.get("OKRSYNC_DOTENV", ".env"), override=False)
        env = dict(os.environ)
    environment = env.get("OKRSYNC_ENV", "development")
    production = environment == PRODUCTION
    instance = Path(env.get("OKRSYNC_INSTANCE_PATH", "instance")).resolve()
    database_url = env.get("OKRSYNC_DATABASE_URL") or f"sqlite:///{instance / 'okrsync.db'}"
    secret_key = env.get("OKRSYNC_SECRET_KEY")
    keys = _split(env.get("OKRSYNC_ENCRYPTION_KEY"))
    if production and not (secret_key and keys):
        raise SettingsError("OKRSYNC_SECRET_KEY and OKRSYNC_ENCRYPTION_KEY must be set in production")
    if not secret_key:
        secret_key = _instance_secret(instance, "secret_key", lambda: secrets.token_urlsafe(48))
    if not keys:
        keys = (_instance_secret(instance, "encryption_key", _new_fernet_key),)
    return Settings(
        instance_path=instance,
        database_url=database_url,
        redis_url=env.get("OKRSYNC_REDIS_URL") or None,
        secret_key=secret_key,
        encryption_keys=keys,
        base_url=env.get("OKRSYNC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        openai_api_key=env.get("OPENAI_API_KEY") or None,
        llm_model=env.get("OKRSYNC_LLM_MODEL", "gpt-4o-mini"),
        llm_base_url=env.get("OKRSYNC_LLM_BASE_URL") or None,
        outbound_allowlist=_split(env.get("OKRSYNC_OUTBOUND_ALLOWLIST")),
        environment=environment,
        log_format=env.get("OKRSYNC_LOG_FORMAT", "json" if production else "text"),
        embedded_workers=int(env.get("OKRSYNC_EMBEDDED_WORKERS", "2")),
        smtp_url=env.get("OKRSYNC_SMTP_URL") or None,
        mail_from=env.get("OKRSYNC_MAIL_FROM") or None,
    )
