"""Links in messages: pages of okrsync, and the signed unsubscribe link that needs no sign-in."""
from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "okrsync.unsubscribe"


def _signer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def unsubscribe_token(secret_key: str, user_id: int) -> str:
    return _signer(secret_key).dumps({"u": user_id})


def user_of_token(secret_key: str, token: str) -> int | None:
    """The user a token was signed for, or None when it is forged or damaged."""
    try:
        data = _signer(secret_key).loads(token)
    except BadSignature:
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) else None


def page_url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def unsubscribe_url(base_url: str, secret_key: str, user_id: int) -> str:
    return page_url(base_url, f"/unsubscribe/{unsubscribe_token(secret_key, user_id)}")
