"""How the pages write a key result's numbers: one home for values, units, scores and gaps.

The wording itself lives in okr_core (value_format, pace_check) so the analysis says the same.
"""
from __future__ import annotations

import os

from flask import current_app

from okr_core.domain import Measure
from okr_core.models import utcnow
from okr_core.rules import expected_progress, score_label
from okr_core.rules.pace_check import pace_disagreement
from okr_core.value_format import DEFAULT_DECIMALS, format_range, format_value, value_style
from ui_panel.charts import percent

DECIMALS_SETTING = "OKRSYNC_VALUE_DECIMALS"


def configured_decimals(environ=os.environ) -> int:
    """Decimals shown for values that are not counts (OKRSYNC_VALUE_DECIMALS, 0-4, default 1)."""
    raw = environ.get(DECIMALS_SETTING, "").strip()
    if not raw:
        return DEFAULT_DECIMALS
    if not raw.isdigit() or int(raw) > 4:
        raise ValueError(f"{DECIMALS_SETTING} must be a whole number from 0 to 4, got {raw!r}")
    return int(raw)


def _style(kr):
    decimals = current_app.config.get("VALUE_DECIMALS", DEFAULT_DECIMALS)
    return value_style(kr.unit, kr.measure, kr.start_value, kr.target_value, decimals)


def value_text(kr, with_start: bool = False) -> str:
    """ "181 of 300 workspaces", "45% of 100%", "5 incidents (target 2 incidents)": the KR's value
    against its target, and with_start where it began."""
    return format_range(kr.current_value, kr.target_value, _style(kr),
                        start=kr.start_value if with_start else None)


def kr_value(kr, value) -> str:
    """Any value of this KR (a check-in's, a snapshot's) written in the KR's unit."""
    return format_value(value, _style(kr))


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


def pace_flag(kr, cycle) -> str | None:
    """ "reported on track, but at the current pace it reaches 4.1 incidents (target 2 incidents)", or None."""
    if cycle.status != "active":
        return None
    expected = expected_progress(cycle.start_date, cycle.end_date, utcnow())
    found = pace_disagreement(kr.status, kr.progress, expected, kr.start_value, kr.target_value,
                              _style(kr))
    return None if found is None else found.message


def label_of(score):
    """The guide's label for a final score, or None when there is no score."""
    return None if score is None else score_label(score)


def is_closed(cycle) -> bool:
    """Closed and archived cycles show final scores instead of live status."""
    return cycle is not None and str(cycle.status) in ("closed", "archived")
