"""Counts agree with their words: "1 key result", never "1 key results"."""
import pytest

from okr_core.wording import agrees, counted


@pytest.mark.parametrize("count, singular, plural, text", [
    (1, "key result", None, "1 key result"),
    (0, "key result", None, "0 key results"),
    (3, "week", None, "3 weeks"),
    (1204, "comment", None, "1,204 comments"),
    (2, "person", None, "2 people"),
    (2, "check-in", None, "2 check-ins"),
    (2, "mention", "mentions", "2 mentions"),
    (1.5, "hour", None, "1.5 hours"),
])
def test_a_count_takes_the_word_that_agrees(count, singular, plural, text):
    assert counted(count, singular, plural) == text


def test_the_verb_agrees_too():
    assert agrees(1, "is", "are") == "is" and agrees(5, "is", "are") == "are"
