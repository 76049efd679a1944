"""The forecast's numpy trials are those of a plain-Python Monte Carlo with random.Random, value for value."""
import hashlib
import random

import pytest

from okr_core.analysis.forecast import TRIALS, simulate
from okr_core.analysis.forecast_draws import TrialDraws, seed_words


@pytest.mark.parametrize("seed", ["okrsync-forecast:1", "okrsync-forecast:98765", "", "prévision:7"])
def test_draws_are_the_values_python_random_gives_for_the_seed(seed):
    draws = TrialDraws()
    expected = random.Random(seed)
    assert draws.uniforms(seed, 3000).tolist() == [expected.random() for _ in range(3000)]


def test_a_reused_generator_starts_each_seed_afresh():
    draws = TrialDraws()
    first = draws.uniforms("okrsync-forecast:3", 10).tolist()
    draws.uniforms("okrsync-forecast:4", 500)
    assert draws.uniforms("okrsync-forecast:3", 10).tolist() == first


def test_seed_words_are_the_little_end_first_words_of_the_seed_integer():
    words = seed_words("ab")
    number = sum(int(word) << (32 * index) for index, word in enumerate(words))
    assert number == int.from_bytes(b"ab" + hashlib.sha512(b"ab").digest(), "big")


def _python_trials(current, deltas, weeks, seed):
    """The simulation as plain Python: rng.choices week by week, each trial's sum in order."""
    rng = random.Random(seed)
    whole, part = int(weeks), weeks - int(weeks)
    finals = [current] * TRIALS
    for _ in range(whole):
        finals = [value + delta for value, delta in zip(finals, rng.choices(deltas, k=TRIALS))]
    if part > 0:
        finals = [value + part * delta for value, delta in zip(finals, rng.choices(deltas, k=TRIALS))]
    return finals


@pytest.mark.parametrize("current, deltas, weeks", [
    (0.35, [0.0, 0.1, 0.05, 0.12, -0.02, 0.07], 6.4),
    (0.1, [0.2, 0.0], 1.0),
    (0.5, [0.013, 0.021, 0.008], 0.6),
    (0.0, [0.04 * n for n in range(11)], 12.9),
])
def test_numpy_trials_equal_the_plain_python_simulation(current, deltas, weeks):
    seed = "okrsync-forecast:42"
    draws = TrialDraws()
    finals = simulate(current, deltas, weeks, lambda count: draws.uniforms(seed, count))
    assert finals.tolist() == _python_trials(current, deltas, weeks, seed)


def test_one_observed_pace_ends_every_trial_alike():
    finals = simulate(0.2, [0.05, 0.05, 0.05], 4.5, lambda count: pytest.fail("no draws needed"))
    assert finals.tolist() == [0.2 + 0.05 * 4.5] * TRIALS
