"""OKR rules as pure functions: measures, progress, status, roll-up, scoring, best practices."""
from okr_core.rules.cycles import (
    READ_ONLY_STATUSES,
    CycleClosed,
    guard_cycle_writable,
    is_cycle_writable,
)
from okr_core.rules.key_results import (
    NO_TARGET_WARNING,
    PERCENT_UNIT,
    RATIO_MEASURES,
    is_ratio_measure,
    key_result_problems,
    with_measure_defaults,
)
from okr_core.rules.measures import (
    ItemCounts, WorkTotals, item_counts, measure_value, totals_value, unique_live_items, work_totals,
)
from okr_core.rules.practices import (
    ACTIVITY_VERBS,
    KeyResultFacts,
    ObjectiveFacts,
    PracticeWarning,
    best_practice_warnings,
    is_activity_title,
)
from okr_core.rules.progress import clamp_progress, expected_progress, progress
from okr_core.rules.rollup import AlignmentCycle, ObjectiveNode, objective_progress, rollup_tree
from okr_core.rules.scoring import (
    ScoreLabel,
    round_score,
    score_key_result,
    score_label,
    score_objective,
    score_rollup,
)
from okr_core.rules.status import (
    DEFAULT_THRESHOLDS,
    CheckInView,
    StatusDecision,
    StatusThresholds,
    effective_status,
    pace_status,
)
from okr_core.rules.team_status import status_spread, team_status

__all__ = [
    "ACTIVITY_VERBS",
    "AlignmentCycle",
    "CheckInView",
    "CycleClosed",
    "DEFAULT_THRESHOLDS",
    "ItemCounts",
    "WorkTotals",
    "KeyResultFacts",
    "NO_TARGET_WARNING",
    "PERCENT_UNIT",
    "RATIO_MEASURES",
    "ObjectiveFacts",
    "ObjectiveNode",
    "PracticeWarning",
    "READ_ONLY_STATUSES",
    "ScoreLabel",
    "StatusDecision",
    "StatusThresholds",
    "best_practice_warnings",
    "clamp_progress",
    "effective_status",
    "expected_progress",
    "guard_cycle_writable",
    "is_activity_title",
    "is_ratio_measure",
    "key_result_problems",
    "is_cycle_writable",
    "item_counts",
    "measure_value",
    "totals_value",
    "objective_progress",
    "pace_status",
    "progress",
    "rollup_tree",
    "round_score",
    "score_key_result",
    "score_label",
    "score_objective",
    "score_rollup",
    "status_spread",
    "team_status",
    "unique_live_items",
    "work_totals",
    "with_measure_defaults",
]
