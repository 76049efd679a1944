"""URL rules whose URL builders are compiled once per process instead of once per app.

Werkzeug compiles two small builder functions for every rule when the rule is added (an AST
built and passed to compile()); that is most of create_app's time, paid again by every app a
process makes (each test makes one). A builder depends only on the rule's text and parts and
takes the rule as its first argument, so one function serves every app's copy of the rule.
Rules with defaults are left to Werkzeug: their builders hold the converted default values.
"""
from __future__ import annotations

from typing import Any, Callable

from werkzeug.routing import Rule

_builders: dict[tuple, Callable[..., Any]] = {}


class SharedBuilderRule(Rule):
    def _compile_builder(self, *args, **kwargs):
        if self.defaults:
            return super()._compile_builder(*args, **kwargs)
        key = (self.rule, tuple(self._trace), args, tuple(sorted(kwargs.items())))
        builder = _builders.get(key)
        if builder is None:
            builder = _builders.setdefault(key, super()._compile_builder(*args, **kwargs))
        return builder
