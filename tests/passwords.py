"""Password hashes for test users."""
from __future__ import annotations

from functools import lru_cache

from okr_core.accounts import hash_password


@lru_cache(maxsize=None)
def stored_hash(password: str) -> str:
    """The argon2 hash of a password, made once per test process and given to every test user
    with that password: argon2 is slow by design (64 MiB, several passes), and signing in still
    verifies the real hash each time."""
    return hash_password(password)
