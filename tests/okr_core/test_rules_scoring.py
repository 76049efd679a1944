"""End-of-cycle scores, objective scores and the guide's labels."""
import pytest

from okr_core.rules import ScoreLabel, round_score, score_key_result, score_label, score_objective


@pytest.mark.parametrize("start, target, final, score", [
    pytest.param(0, 10, 3.5, 0.4, id="half-up-0.35-to-0.4"),
    pytest.param(10, 20, 13.5, 0.4, id="half-up-from-nonzero-start"),
    pytest.param(0, 100, 34, 0.3, id="rounds-down-below-half"),
    pytest.param(85, 95, 92, 0.7, id="csat-delivered"),
    pytest.param(40, 60, 60, 1.0, id="target-hit"),
    pytest.param(0, 10, 14, 1.0, id="over-achievement-capped"),
    pytest.param(50, 100, 30, 0.0, id="below-start-is-zero"),
    pytest.param(10, 2, 4, 0.8, id="reduce-from-10-to-2"),
    pytest.param(10, 2, 6.5, 0.4, id="reduce-half-up"),
    pytest.param(10, 2, 12, 0.0, id="reduce-got-worse"),
    pytest.param(0.1, 0.3, 0.17, 0.4, id="binary-unfriendly-inputs"),
    pytest.param(99.9, 99.9, 99.9, 1.0, id="zero-range-reached"),
    pytest.param(99.9, 99.9, 99.0, 0.0, id="zero-range-missed"),
])
def test_score_key_result(start, target, final, score):
    assert score_key_result(start, target, final) == score


def test_zero_range_score_honours_lower_is_better():
    assert score_key_result(0, 0, 0, lower_is_better=True) == 1.0
    assert score_key_result(0, 0, 1, lower_is_better=True) == 0.0


@pytest.mark.parametrize("value, rounded", [
    pytest.param(0.35, 0.4, id="0.35-up"),
    pytest.param(0.45, 0.5, id="0.45-up"),
    pytest.param(0.25, 0.3, id="0.25-up"),
    pytest.param(0.949, 0.9, id="below-half-down"),
    pytest.param(0.95, 1.0, id="0.95-to-1"),
])
def test_round_score_is_half_up(value, rounded):
    assert round_score(value) == rounded


@pytest.mark.parametrize("parts, score", [
    pytest.param([(1, 0.7), (1, 0.8)], 0.8, id="equal-weights-half-up"),
    pytest.param([(3, 1.0), (1, 0.2)], 0.8, id="weighted"),
    pytest.param([(1, 0.3), (1, 0.4)], 0.4, id="0.35-mean-rounds-up"),
    pytest.param([(0, 0.2), (0, 0.6)], 0.4, id="zero-weights-plain-mean"),
    pytest.param([(2, 0.6)], 0.6, id="single-kr"),
])
def test_score_objective_is_weighted_mean(parts, score):
    assert score_objective(parts) == score


@pytest.mark.parametrize("parts, message", [
    pytest.param([], "at least one", id="no-key-results"),
    pytest.param([(1, 1.2)], "0.0-1.0", id="score-above-one"),
    pytest.param([(-1, 0.5)], "weights", id="negative-weight"),
])
def test_score_objective_refuses_bad_parts(parts, message):
    with pytest.raises(ValueError, match=message):
        score_objective(parts)


@pytest.mark.parametrize("score, label", [
    pytest.param(0.0, ScoreLabel.FAILED, id="0.0"),
    pytest.param(0.3, ScoreLabel.FAILED, id="0.3"),
    pytest.param(0.34, ScoreLabel.FAILED, id="0.34-rounds-to-0.3"),
    pytest.param(0.35, ScoreLabel.PROGRESS, id="0.35-rounds-to-0.4"),
    pytest.param(0.4, ScoreLabel.PROGRESS, id="0.4"),
    pytest.param(0.6, ScoreLabel.PROGRESS, id="0.6"),
    pytest.param(0.65, ScoreLabel.DELIVERED, id="0.65-rounds-to-0.7"),
    pytest.param(0.7, ScoreLabel.DELIVERED, id="0.7"),
    pytest.param(0.9, ScoreLabel.DELIVERED, id="0.9"),
    pytest.param(0.95, ScoreLabel.EXCEEDED, id="0.95-rounds-to-1.0"),
    pytest.param(1.0, ScoreLabel.EXCEEDED, id="1.0"),
])
def test_score_label_follows_the_guide_bands(score, label):
    assert score_label(score) is label


@pytest.mark.parametrize("label, text", [
    pytest.param(ScoreLabel.FAILED, "Failed to deliver", id="failed"),
    pytest.param(ScoreLabel.PROGRESS, "Made progress but fell short", id="progress"),
    pytest.param(ScoreLabel.DELIVERED, "Delivered successfully", id="delivered"),
    pytest.param(ScoreLabel.EXCEEDED, "Exceeded expectations", id="exceeded"),
])
def test_score_label_carries_the_guide_wording(label, text):
    assert label.text == text


@pytest.mark.parametrize("score", [-0.1, 1.01], ids=["negative", "above-one"])
def test_score_label_refuses_scores_off_the_scale(score):
    with pytest.raises(ValueError, match="0.0-1.0"):
        score_label(score)
