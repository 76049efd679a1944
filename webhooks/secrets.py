"""Webhook secrets: every connection has one, generated when the admin gives none."""
from __future__ import annotations

import secrets


def new_webhook_secret() -> str:
    """A fresh random secret (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)
