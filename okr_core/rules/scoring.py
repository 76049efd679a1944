"""End-of-cycle scoring on the guide's 0.0-1.0 scale, one decimal, rounded half-up."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from okr_core.domain import StrEnum
from okr_core.rules.progress import progress

_ONE_DECIMAL = Decimal("0.1")


class ScoreLabel(StrEnum):
    """The guide's scoring bands."""

    FAILED = "failed"
    PROGRESS = "progress"
    DELIVERED = "delivered"
    EXCEEDED = "exceeded"

    @property
    def text(self) -> str:
        """The guide's wording for the band."""
        return _LABEL_TEXT[self]


_LABEL_TEXT = {
    ScoreLabel.FAILED: "Failed to deliver",
    ScoreLabel.PROGRESS: "Made progress but fell short",
    ScoreLabel.DELIVERED: "Delivered successfully",
    ScoreLabel.EXCEEDED: "Exceeded expectations",
}


def round_score(value: Decimal | float) -> float:
    """One decimal, half-up, so 0.35 becomes 0.4 rather than float round's 0.3."""
    exact = value if isinstance(value, Decimal) else _decimal(value)
    return float(exact.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP))


def score_key_result(
    start: float, target: float, final: float, *, lower_is_better: bool = False
) -> float:
    """The KR's score in [0, 1]: share of the way from start to target, capped both ends."""
    start_d, target_d, final_d = _decimal(start), _decimal(target), _decimal(final)
    if target_d == start_d:  # all or nothing, the same rule progress() documents
        return progress(float(start), float(target), float(final), lower_is_better=lower_is_better)
    # Decimal arithmetic on the values as entered keeps (3.5 - 0) / 10 at exactly 0.35.
    share = (final_d - start_d) / (target_d - start_d)
    return round_score(min(Decimal(1), max(Decimal(0), share)))


def score_objective(parts: Sequence[tuple[float, float]]) -> float:
    """Weighted mean of (weight, KR score); all-zero weights fall back to a plain mean."""
    if not parts:
        raise ValueError("an objective needs at least one scored key result")
    weights = [_decimal(weight) for weight, _ in parts]
    scores = [_checked_score(score) for _, score in parts]
    if any(weight < 0 for weight in weights):
        raise ValueError(f"key result weights must be >= 0, got {[w for w, _ in parts]}")
    total = sum(weights, Decimal(0))
    if total == 0:
        return round_score(sum(scores, Decimal(0)) / len(scores))
    weighted = sum((weight * score for weight, score in zip(weights, scores)), Decimal(0))
    return round_score(weighted / total)


def score_rollup(child_scores: Sequence[float | None]) -> float | None:
    """A parent without KRs of its own: the mean of its aligned children's scores, as its progress.

    Children without a score (nothing measurable) are left out, the way `objective_progress`
    leaves out children without progress; None when no child was scored.
    """
    scored = [_checked_score(score) for score in child_scores if score is not None]
    if not scored:
        return None
    return round_score(sum(scored, Decimal(0)) / len(scored))


def score_label(score: float) -> ScoreLabel:
    """The guide's band for a score: 0.0-0.3 failed, 0.4-0.6 progress, 0.7-0.9 delivered, 1.0."""
    rounded = _decimal(round_score(_checked_score(score)))
    if rounded <= Decimal("0.3"):
        return ScoreLabel.FAILED
    if rounded <= Decimal("0.6"):
        return ScoreLabel.PROGRESS
    if rounded <= Decimal("0.9"):
        return ScoreLabel.DELIVERED
    return ScoreLabel.EXCEEDED


def _checked_score(score: float) -> Decimal:
    """A score as a Decimal, refusing anything outside the 0-1 scale."""
    exact = _decimal(score)
    if not Decimal(0) <= exact <= Decimal(1):
        raise ValueError(f"a score must be within 0.0-1.0, got {score}")
    return exact


def _decimal(value: float) -> Decimal:
    """The value as written (str), not its binary expansion: Decimal(0.35) is 0.3499..."""
    return Decimal(str(value))
