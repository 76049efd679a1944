"""Cycle analysis (SPEC 6): plain facts in, JSON-ready sections out; no I/O beyond the loader."""
from okr_core.analysis.compute import analyse
from okr_core.analysis.facts import CycleFacts
from okr_core.analysis.latest import latest_visible_analysis
from okr_core.analysis.loader import load_cycle_facts
from okr_core.analysis.scope import (
    AUDIENCE_MARK, InvalidScope, Scope, parse_scope, scope_key, split_scope_key,
)

__all__ = ["AUDIENCE_MARK", "CycleFacts", "InvalidScope", "Scope", "analyse",
           "latest_visible_analysis", "load_cycle_facts", "parse_scope", "scope_key",
           "split_scope_key"]
