"""The guide's best-practice checks: warnings to show the author, never errors."""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Hashable, Sequence

from okr_core.domain import Level

OBJECTIVES_PER_LEVEL = (3, 5)   # guide: "Limit to 3-5 per level"
KEY_RESULTS_PER_OBJECTIVE = (2, 5)  # guide: "2-5 key results per objective"

# Leading verbs of tasks dressed up as key results ("Launch feature X"); multi-word ones as phrases.
ACTIVITY_VERBS = (
    "launch", "ship", "release", "implement", "build", "complete", "deliver", "finish",
    "create", "develop", "deploy", "migrate", "introduce", "publish", "integrate", "write",
    "design", "redesign", "rewrite", "refactor", "set up", "setup", "roll out", "rollout",
    "start", "kick off", "run", "hold", "host", "add",
)
_MEASURABLE = re.compile(r"[\d%]")  # a number or a percentage makes it a measurable outcome


@dataclass(frozen=True)
class ObjectiveFacts:
    """What the checks need of an objective; parent_id and owner_id are optional context."""

    id: Hashable
    team_id: Hashable | None
    level: Level
    title: str
    kr_ids: tuple[Hashable, ...]
    parent_id: Hashable | None = None
    owner_id: Hashable | None = None


@dataclass(frozen=True)
class KeyResultFacts:
    """What the checks need of a key result."""

    id: Hashable
    title: str
    target_value: float | None


@dataclass(frozen=True)
class PracticeWarning:
    """One best-practice warning about the objectives or key results named in subject_ids."""

    code: str
    message: str
    subject_ids: tuple[Hashable, ...]


def best_practice_warnings(
    objectives: Sequence[ObjectiveFacts], key_results: Sequence[KeyResultFacts]
) -> list[PracticeWarning]:
    """Every guide violation among these objectives and key results, in a stable order."""
    return [
        *objective_count_warnings(objectives),
        *key_result_count_warnings(objectives),
        *key_result_shape_warnings(key_results),
    ]


def objective_count_warnings(objectives: Sequence[ObjectiveFacts]) -> list[PracticeWarning]:
    """Fewer than 3 or more than 5 objectives at one level of one team (or one person)."""
    warnings = []
    low, high = OBJECTIVES_PER_LEVEL
    for (team_id, level, _owner), ids in _group_by_team_and_level(objectives).items():
        where = f"{len(ids)} {Level(level)}-level objectives for team {team_id}"
        if len(ids) < low:
            warnings.append(PracticeWarning(
                "too-few-objectives", f"{where}; the guide suggests {low} to {high}", tuple(ids)))
        elif len(ids) > high:
            warnings.append(PracticeWarning(
                "too-many-objectives", f"{where}; focus on at most {high}", tuple(ids)))
    return warnings


def _group_by_team_and_level(
    objectives: Sequence[ObjectiveFacts],
) -> dict[tuple, list[Hashable]]:
    """Objective ids per (team, level, owner); the owner only splits individual objectives."""
    # Each person sets their own individual OKRs, so a team's members are not counted together.
    groups: dict[tuple, list[Hashable]] = defaultdict(list)
    for objective in objectives:
        owner = objective.owner_id if Level(objective.level) is Level.INDIVIDUAL else None
        groups[(objective.team_id, Level(objective.level), owner)].append(objective.id)
    return groups


def key_result_count_warnings(objectives: Sequence[ObjectiveFacts]) -> list[PracticeWarning]:
    """Fewer than 2 or more than 5 key results on an objective that is not a roll-up."""
    # A parent without KRs of its own rolls up its aligned children (spec, progress rules).
    parents = {objective.parent_id for objective in objectives if objective.parent_id is not None}
    low, high = KEY_RESULTS_PER_OBJECTIVE
    warnings = []
    for objective in objectives:
        count = len(objective.kr_ids)
        if count == 0 and objective.id in parents:
            continue
        where = f'"{objective.title}" has {count} key results'
        if count < low:
            warnings.append(PracticeWarning(
                "too-few-key-results", f"{where}; the guide suggests {low} to {high}",
                (objective.id,)))
        elif count > high:
            warnings.append(PracticeWarning(
                "too-many-key-results", f"{where}; keep at most {high}", (objective.id,)))
    return warnings


def key_result_shape_warnings(key_results: Sequence[KeyResultFacts]) -> list[PracticeWarning]:
    """Key results with no numeric target, and activities written as key results."""
    warnings = []
    for kr in key_results:
        if not _has_numeric_target(kr.target_value):
            warnings.append(PracticeWarning(
                "key-result-without-target",
                f'"{kr.title}" has no numeric target, so its progress cannot be measured',
                (kr.id,)))
        if is_activity_title(kr.title):
            warnings.append(PracticeWarning(
                "activity-key-result",
                f'"{kr.title}" reads as a task, not an outcome: '
                "say what should change, and by how much",
                (kr.id,)))
    return warnings


def is_activity_title(title: str) -> bool:
    """True for "Launch feature X": a leading activity verb and no number or percentage."""
    if _MEASURABLE.search(title):
        return False
    words = re.findall(r"[a-z]+", title.lower())
    return any(_starts_with(words, verb.split()) for verb in ACTIVITY_VERBS)


def _starts_with(words: list[str], phrase: list[str]) -> bool:
    """True when the title's words begin with the phrase's words."""
    return words[: len(phrase)] == phrase


def _has_numeric_target(target: float | None) -> bool:
    """A finite number; None, NaN and infinities cannot be reached or scored."""
    if target is None or isinstance(target, (bool, str)):
        return False
    try:
        return math.isfinite(float(target))  # float() also takes the Decimal a Numeric column gives
    except (TypeError, ValueError):
        return False
