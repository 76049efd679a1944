"""The demo's check-ins: written by each KR's owner, in varied words, with recurring blockers."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from okr_core.domain import CheckInSource, KRStatus
from okr_core.models import CheckIn, KeyResult
from okr_core.value_format import format_value, value_style
from okrsync import demo_words as words

SKIP_WEEK = 0.15          # owners miss a check-in now and then
BLOCKER_SHARE = 0.3       # share of check-ins naming a recurring blocker of the team
ONE_OFF_SHARE = 0.06      # and a one-off one
OPTIMISM = 0.3            # owners who report one band better than their pace


def demo_value(kr: KeyResult, value: float) -> float:
    """A value as the owner would type it: whole for counts, the KR's own decimals otherwise."""
    style = value_style(kr.unit, kr.measure, kr.start_value, kr.target_value)
    return float(round(value)) if style.kind == "count" else round(value, style.decimals)


def reported_status(rng: random.Random, share: float, expected: float) -> KRStatus:
    """The owner's status: their pace, sometimes rounded up by optimism."""
    ratio = share / expected if expected > 0 else 1.0
    bands = [KRStatus.ON_TRACK, KRStatus.AT_RISK, KRStatus.OFF_TRACK]
    band = 0 if ratio >= 0.9 else 1 if ratio >= 0.7 else 2
    if band and rng.random() < OPTIMISM:
        band -= 1
    return bands[band]


def note(rng: random.Random, kr: KeyResult, value: float | None, ahead: bool) -> str:
    """A short note in the owner's words: how the week went, where the number is, what's next."""
    opener = rng.choice(words.OPENERS_AHEAD if ahead else words.OPENERS_BEHIND)
    reason = rng.choice(words.REASONS_AHEAD if ahead else words.REASONS_BEHIND)
    if value is None:
        middle = f"{rng.choice(words.LINKED_NOTES)} Mostly because {reason}."
    else:
        shown = format_value(value, value_style(kr.unit, kr.measure, kr.start_value,
                                                kr.target_value))
        middle = rng.choice([f"Now at {shown}; {reason}.", f"We're at {shown} because {reason}.",
                             f"{shown} so far, {reason}."])
    return " ".join(part for part in (opener, middle, rng.choice(words.NEXT_STEPS)) if part)


def blocker(rng: random.Random, team_names: list[str]) -> str:
    """Now and then a blocker: one the team keeps hitting (in new words), or a one-off."""
    themes = [theme for name in team_names for theme in words.TEAM_BLOCKERS.get(name, [])]
    roll = rng.random()
    if themes and roll < BLOCKER_SHARE:
        return rng.choice(words.BLOCKER_THEMES[rng.choice(themes)])
    if roll < BLOCKER_SHARE + ONE_OFF_SHARE:
        return rng.choice(words.ONE_OFF_BLOCKERS)
    return ""


def add_check_in(session, rng, kr: KeyResult, at: datetime, *, value: float | None,
                 share: float, expected: float, team_names: list[str]) -> None:
    """One check-in by the KR's owner, a little after the week's mark."""
    ahead = expected <= 0 or share >= 0.9 * expected
    status = reported_status(rng, share, expected)
    confidence = max(2, min(9, round(8 * min(1.2, share / expected if expected else 1))))
    session.add(CheckIn(
        key_result_id=kr.id, author_id=kr.owner_id, value=value, status=status,
        confidence=confidence, note=note(rng, kr, value, ahead),
        blockers=blocker(rng, team_names),
        wins=rng.choice(words.WINS) if rng.random() < (0.3 if ahead else 0.08) else "",
        source=CheckInSource.MANUAL,
        created_at=at + timedelta(hours=rng.randint(1, 30))))


def skips(rng: random.Random, week: int, weeks: int) -> bool:
    """Whether the owner skipped this week (never the latest one)."""
    return week < weeks - 1 and rng.random() < SKIP_WEEK
