"""An analysis scope is read exactly as the API documents it: company, team:<id> or user:<id>."""
from __future__ import annotations

import pytest

from okr_core.analysis.scope import InvalidScope, Scope, parse_scope


@pytest.mark.parametrize("raw, scope", [
    (None, Scope("company")), ("company", Scope("company")), ("team:3", Scope("team", 3)),
    ("user:42", Scope("user", 42)),
])
def test_documented_scopes_are_read(raw, scope):
    assert parse_scope(raw) == scope


@pytest.mark.parametrize("raw", ["", "company\n", " company", "team:3 ", "team:03", "team:", "org"])
def test_anything_else_is_refused(raw):
    """Python's `$` also matches before a trailing newline: the whole text must match."""
    with pytest.raises(InvalidScope):
        parse_scope(raw)
