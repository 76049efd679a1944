"""What a drafted check-in says, from plain figures: value, what moved, new blockers, a suggested
status and confidence, and a short note in words (the template; a model may rephrase it)."""
from __future__ import annotations

from dataclasses import dataclass, field

from okr_core.domain import KRStatus, Measure
from okr_core.rules.status import pace_status
from okr_core.value_format import format_range, format_value, value_style

LIKELY, POSSIBLE = 0.7, 0.4     # forecast chance bands: on track / at risk / off track
STATUS_WORDS = {KRStatus.ON_TRACK: "on track", KRStatus.AT_RISK: "at risk", KRStatus.OFF_TRACK: "off track"}
RANK = {KRStatus.ON_TRACK: 0, KRStatus.AT_RISK: 1, KRStatus.OFF_TRACK: 2}
BASE_CONFIDENCE = {KRStatus.ON_TRACK: 7, KRStatus.AT_RISK: 5, KRStatus.OFF_TRACK: 3}
NAMED_ITEMS = 5


@dataclass(frozen=True)
class MovedItem:
    key: str
    title: str
    url: str | None
    points: float | None


@dataclass(frozen=True)
class NewBlocker:
    phrase: str
    kind: str | None
    key: str
    url: str | None


@dataclass(frozen=True)
class DraftFacts:
    """One KR's figures for the week, read by the caller."""

    title: str
    measure: str
    unit: str
    start_value: float
    target_value: float | None
    current_value: float | None
    progress: float | None
    expected: float
    chance: float | None = None
    moved: list[MovedItem] = field(default_factory=list)
    blockers: list[NewBlocker] = field(default_factory=list)


@dataclass(frozen=True)
class DraftContent:
    value: float | None
    needs_input: bool
    items_done: int
    points_done: float
    suggested_status: KRStatus | None
    suggested_confidence: int | None
    note: str


def suggested_status(progress: float | None, expected: float, chance: float | None) -> KRStatus | None:
    """The worse of the pace's reading and the forecast's; None when nothing can be judged yet."""
    pace = pace_status(progress, expected)
    if pace is KRStatus.NOT_STARTED:
        return None
    if chance is None:
        return pace
    forecast = (KRStatus.ON_TRACK if chance >= LIKELY else
                KRStatus.AT_RISK if chance >= POSSIBLE else KRStatus.OFF_TRACK)
    return max(pace, forecast, key=RANK.__getitem__)


def suggested_confidence(status: KRStatus | None, chance: float | None, new_blockers: int) -> int | None:
    """The forecast's chance in tenths (else a figure for the status), one less with new blockers."""
    if chance is not None:
        base = round(chance * 10)
    elif status is not None:
        base = BASE_CONFIDENCE[status]
    else:
        return None
    return max(0, min(10, base - (1 if new_blockers else 0)))


def compose(facts: DraftFacts) -> DraftContent:
    manual = Measure(facts.measure) == Measure.MANUAL
    status = suggested_status(facts.progress, facts.expected, facts.chance)
    points = sum(item.points or 0.0 for item in facts.moved)
    return DraftContent(
        value=facts.current_value, needs_input=manual, items_done=len(facts.moved),
        points_done=points, suggested_status=status,
        suggested_confidence=suggested_confidence(status, facts.chance, len(facts.blockers)),
        note=template_note(facts, status, points))


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def template_note(facts: DraftFacts, status: KRStatus | None, points: float) -> str:
    """Three or four short sentences in the guide's words, every figure from the facts."""
    style = value_style(facts.unit, facts.measure, facts.start_value, facts.target_value)
    parts = []
    if Measure(facts.measure) == Measure.MANUAL:
        last = format_value(facts.current_value, style)
        parts.append(f"The value needs your input (last recorded: {last}).")
    else:
        parts.append(f"Now at {format_range(facts.current_value, facts.target_value, style)}.")
    if facts.moved:
        named = ", ".join(item.key for item in facts.moved[:NAMED_ITEMS])
        more = f" and {len(facts.moved) - NAMED_ITEMS} more" if len(facts.moved) > NAMED_ITEMS else ""
        done = f"{len(facts.moved)} issue{'s' if len(facts.moved) != 1 else ''}"
        parts.append(f"Done this week: {done} ({_number(points)} points): {named}{more}.")
    else:
        parts.append("No linked issue was done this week.")
    for blocker in facts.blockers[:3]:
        kind = f" ({blocker.kind})" if blocker.kind else ""
        parts.append(f"New blocker on {blocker.key}{kind}: {blocker.phrase}.")
    if status is not None:
        chance = f", with a {round(facts.chance * 100)}% chance to reach the target" \
            if facts.chance is not None else ""
        parts.append(f"Looks {STATUS_WORDS[status]}{chance}.")
    return " ".join(parts)
