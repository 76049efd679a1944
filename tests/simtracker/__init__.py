"""A simulated Jira + Linear for tests and benchmarks (not shipped with okrsync)."""
from tests.simtracker.server import FAULTS, SimCall, SimTracker

__all__ = ["FAULTS", "SimCall", "SimTracker"]
