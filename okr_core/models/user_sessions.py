"""A user's browser sessions end when the password changes or the account is deactivated."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm.base import NO_VALUE, NEVER_SET

from okr_core.models.org import User


def end_sessions(user: User) -> None:
    """Invalidate every session of `user` (each carries the generation it was opened in)."""
    user.session_generation = (user.session_generation or 0) + 1


def _was_set(old) -> bool:
    return old is not NO_VALUE and old is not NEVER_SET


@event.listens_for(User.password_hash, "set", active_history=True)
def _password_changed(user: User, value, old, _initiator) -> None:
    if _was_set(old) and value != old:
        end_sessions(user)


@event.listens_for(User.active, "set", active_history=True)
def _deactivated(user: User, value, old, _initiator) -> None:
    if _was_set(old) and old and not value:
        end_sessions(user)
