"""Maps stored objectives and key results to the best-practice checks' plain facts."""
from __future__ import annotations

from dataclasses import asdict
from typing import Sequence

from okr_core.models import KeyResult, Objective
from okr_core.rules import KeyResultFacts, ObjectiveFacts, best_practice_warnings


def practice_warnings_for(objectives: Sequence[Objective], krs: Sequence[KeyResult]) -> list[dict]:
    """The guide's warnings for these objectives, as JSON-ready dicts."""
    kr_ids: dict[int, list[int]] = {}
    for kr in krs:
        kr_ids.setdefault(kr.objective_id, []).append(kr.id)
    facts = [ObjectiveFacts(o.id, o.team_id, o.level, o.title, tuple(kr_ids.get(o.id, ())),
                            o.parent_id, o.owner_id) for o in objectives]
    kr_facts = [KeyResultFacts(kr.id, kr.title, kr.target_value) for kr in krs]
    return [{**asdict(w), "subject_ids": list(w.subject_ids)}
            for w in best_practice_warnings(facts, kr_facts)]
