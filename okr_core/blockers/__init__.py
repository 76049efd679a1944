"""Blocker miner: finds, classifies and groups blockers in tracker comments and check-in notes."""
from okr_core.blockers.detect import detect
from okr_core.blockers.grouping import group_recurring
from okr_core.blockers.model import BlockerFinding, BlockerGroup, BlockerKind

__all__ = ["BlockerFinding", "BlockerGroup", "BlockerKind", "detect", "group_recurring"]
