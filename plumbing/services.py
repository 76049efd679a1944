"""App-wide services looked up from the current app: the secret box and the outbound allowlist."""
from __future__ import annotations

from flask import Flask, current_app

from config.secrets import SecretBox


def init_services(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.extensions["okrsync.secret_box"] = SecretBox(settings.encryption_keys)


def secret_box() -> SecretBox:
    return current_app.extensions["okrsync.secret_box"]


def allowlist() -> tuple[str, ...]:
    """Hosts tracker and LLM URLs may reach although private: settings plus the admin's list."""
    extra = current_app.config.get("OUTBOUND_ALLOWLIST_EXTRA", ())
    return tuple(current_app.config["SETTINGS"].outbound_allowlist) + tuple(extra)
