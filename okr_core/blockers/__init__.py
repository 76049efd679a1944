"""Blocker miner: finds, classifies and groups blockers in tracker comments and check-in notes.

`detect` is the trained miner (mine.py: a logistic model over words, word pairs, kind conventions and the
cue rules' verdict); the cue rules alone remain as `okr_core.blockers.detect.detect`. `group_recurring` clusters
mentions by shared rare words (grouping_learned.py).
"""
from okr_core.blockers.grouping_learned import group_recurring
from okr_core.blockers.mine import detect, miner_version
from okr_core.blockers.model import BlockerFinding, BlockerGroup, BlockerKind

__all__ = ["BlockerFinding", "BlockerGroup", "BlockerKind", "detect", "group_recurring", "miner_version"]
