"""Cycle analysis (SPEC 6): plain facts in, JSON-ready sections out; no I/O beyond the loader."""
from okr_core.analysis.compute import analyse
from okr_core.analysis.facts import CycleFacts
from okr_core.analysis.loader import load_cycle_facts
from okr_core.analysis.scope import InvalidScope, Scope, parse_scope

__all__ = ["CycleFacts", "InvalidScope", "Scope", "analyse", "load_cycle_facts", "parse_scope"]
