"""Analysis scopes: company, team:<id>, user:<id>."""
from __future__ import annotations

import re
from dataclasses import dataclass

from okr_core.ids import MAX_ID

_SCOPE = re.compile(r"(company)|(team|user):([1-9][0-9]{0,9})")   # the whole text (fullmatch)


class InvalidScope(ValueError):
    """The scope is not company, team:<id> or user:<id>."""


@dataclass(frozen=True)
class Scope:
    kind: str              # company | team | user
    subject_id: int | None = None

    def __str__(self) -> str:
        return self.kind if self.subject_id is None else f"{self.kind}:{self.subject_id}"


def parse_scope(raw: str | None) -> Scope:
    """Parse a scope string exactly as the API documents it (no spaces around it, no trailing
    newline); none means company; raises InvalidScope."""
    match = _SCOPE.fullmatch("company" if raw is None else raw)
    if match is None:
        raise InvalidScope(f"scope must be company, team:<id> or user:<id>, got {raw!r}")
    if match.group(1):
        return Scope("company")
    if int(match.group(3)) > MAX_ID:
        raise InvalidScope(f"no {match.group(2)} has the id {match.group(3)}")
    return Scope(match.group(2), int(match.group(3)))


AUDIENCE_MARK = "~u"   # "team:3~u42": computed with what user 42 may see


def scope_key(scope: Scope, viewer) -> str:
    """Where an analysis is filed: admins' see everything, anyone else's what they may see."""
    return str(scope) if viewer.is_admin else f"{scope}{AUDIENCE_MARK}{viewer.user_id}"


def split_scope_key(key: str) -> tuple[Scope, int | None]:
    """(scope, the user whose view it was computed with, or None for everything)."""
    scope, _, user_id = key.partition(AUDIENCE_MARK)
    return parse_scope(scope), int(user_id) if user_id else None
