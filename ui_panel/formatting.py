"""How the pages write a key result's numbers: one home for values, units and what is missing."""
from __future__ import annotations

from okr_core.domain import Measure
from ui_panel.charts import percent


def progress_text(kr) -> str:
    """The KR's progress in words: a percentage, or what it is still waiting for."""
    missing = missing_data(kr)
    return missing if missing else percent(kr.progress)


def missing_data(kr) -> str | None:
    """What keeps a KR from having progress ("no check-in yet"), or None when it has some."""
    if kr.target_value is None:
        return "no target yet"
    if kr.current_value is not None and kr.progress is not None:
        return None
    if Measure(kr.measure) is Measure.MANUAL:
        return "no check-in yet"
    return "no linked work yet"
