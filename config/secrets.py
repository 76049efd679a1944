"""Secrets at rest: encrypted with a rotatable key list (MultiFernet: first key encrypts, all decrypt)."""
from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretUndecryptable(RuntimeError):
    """A stored secret was encrypted with a key that is no longer configured."""


class SecretBox:
    def __init__(self, keys: tuple[str, ...] | list[str]):
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode() if plaintext else ""

    def decrypt(self, token: str) -> str:
        if not token:
            return ""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretUndecryptable("stored secret cannot be decrypted with the configured keys") \
                from exc

    def encrypt_json(self, value: dict) -> str:
        return self.encrypt(json.dumps(value, sort_keys=True)) if value else ""

    def decrypt_json(self, token: str) -> dict:
        return json.loads(self.decrypt(token)) if token else {}

    def rotate(self, token: str) -> str:
        """Re-encrypt with the first (newest) key."""
        return self._fernet.rotate(token.encode()).decode() if token else ""
