"""Best-practice warnings from the guide."""
from decimal import Decimal

import pytest

from okr_core.domain import Level
from okr_core.rules import (
    KeyResultFacts,
    ObjectiveFacts,
    PracticeWarning,
    best_practice_warnings,
    is_activity_title,
)


def objective(obj_id, *, team="eng", level=Level.TEAM, krs=("k1", "k2"), parent=None, owner=None):
    """An objective with two KRs unless told otherwise."""
    return ObjectiveFacts(id=obj_id, team_id=team, level=level, title=f"Objective {obj_id}",
                          kr_ids=tuple(krs), parent_id=parent, owner_id=owner)


def team_of(count, **kwargs):
    """`count` well-formed objectives of one team at one level."""
    return [objective(f"o{n}", **kwargs) for n in range(count)]


def codes(warnings):
    """(code, subject_ids) pairs, enough to tell which rule fired for what."""
    return [(warning.code, warning.subject_ids) for warning in warnings]


@pytest.mark.parametrize("objectives, expected", [
    pytest.param(team_of(2), [("too-few-objectives", ("o0", "o1"))], id="two-is-too-few"),
    pytest.param(team_of(3), [], id="three-is-fine"),
    pytest.param(team_of(5), [], id="five-is-fine"),
    pytest.param(team_of(6), [("too-many-objectives", tuple(f"o{n}" for n in range(6)))],
                 id="six-is-too-many"),
    pytest.param(team_of(3) + [objective("c1", level=Level.COMPANY, team="co")],
                 [("too-few-objectives", ("c1",))], id="counted-per-level"),
    pytest.param(team_of(3) + [objective("s1", team="sales")],
                 [("too-few-objectives", ("s1",))], id="counted-per-team"),
    pytest.param([objective(f"i{n}", level=Level.INDIVIDUAL, owner="ana") for n in range(3)]
                 + [objective(f"j{n}", level=Level.INDIVIDUAL, owner="bo") for n in range(3)],
                 [], id="individual-counted-per-owner"),
])
def test_objectives_per_level_and_team(objectives, expected):
    assert codes(best_practice_warnings(objectives, [])) == expected


@pytest.mark.parametrize("kr_ids, expected", [
    pytest.param((), [("too-few-key-results", ("x",))], id="none"),
    pytest.param(("k1",), [("too-few-key-results", ("x",))], id="one"),
    pytest.param(("k1", "k2"), [], id="two"),
    pytest.param(tuple(f"k{n}" for n in range(5)), [], id="five"),
    pytest.param(tuple(f"k{n}" for n in range(6)), [("too-many-key-results", ("x",))], id="six"),
])
def test_key_results_per_objective(kr_ids, expected):
    found = [pair for pair in codes(best_practice_warnings([objective("x", krs=kr_ids)], []))
             if pair[0].endswith("key-results")]
    assert found == expected


def test_roll_up_parent_without_key_results_is_not_warned():
    objectives = [objective("parent", krs=()), *team_of(2, parent="parent")]
    assert "too-few-key-results" not in {code for code, _ in codes(
        best_practice_warnings(objectives, []))}


@pytest.mark.parametrize("target, warned", [
    pytest.param(None, True, id="none"),
    pytest.param(float("nan"), True, id="nan"),
    pytest.param(float("inf"), True, id="infinite"),
    pytest.param("95", True, id="text"),
    pytest.param(95.0, False, id="float"),
    pytest.param(0, False, id="zero-is-a-target"),
    pytest.param(Decimal("99.9"), False, id="decimal-from-numeric-column"),
])
def test_key_result_without_numeric_target(target, warned):
    kr = KeyResultFacts(id="k", title="Increase NPS from 40 to 60", target_value=target)
    expected = [("key-result-without-target", ("k",))] if warned else []
    assert codes(best_practice_warnings([], [kr])) == expected


@pytest.mark.parametrize("title, activity", [
    pytest.param("Launch feature X", True, id="launch"),
    pytest.param("Ship the new onboarding", True, id="ship"),
    pytest.param("release the public API", True, id="release-lowercase"),
    pytest.param("Implement SSO", True, id="implement"),
    pytest.param("Build a partner portal", True, id="build"),
    pytest.param("Complete the security audit", True, id="complete"),
    pytest.param("Deliver the roadmap", True, id="deliver"),
    pytest.param("Roll out dark mode", True, id="multi-word-verb"),
    pytest.param("  launch: billing revamp", True, id="leading-space-and-punctuation"),
    pytest.param("Launch 3 high-impact features with >60% adoption", False, id="with-numbers"),
    pytest.param("Ship to reach half of users at %", False, id="percent-sign"),
    pytest.param("Increase NPS from forty to sixty", False, id="outcome-verb"),
    pytest.param("Reduce page load time", False, id="outcome-without-number"),
    pytest.param("Launchpad adoption doubles", False, id="verb-only-as-word-prefix"),
    pytest.param("", False, id="empty"),
])
def test_activity_style_titles(title, activity):
    assert is_activity_title(title) is activity


def test_activity_key_result_warning_names_the_key_result():
    kr = KeyResultFacts(id="k9", title="Launch feature X", target_value=1)
    (warning,) = best_practice_warnings([], [kr])
    assert warning == PracticeWarning("activity-key-result", warning.message, ("k9",))
    assert "Launch feature X" in warning.message


def test_well_formed_okrs_raise_no_warnings():
    objectives = team_of(3)
    krs = [KeyResultFacts("k1", "Increase CSAT from 85% to 95%", 95),
           KeyResultFacts("k2", "Reduce P1 incidents from 10/month to 2/month", 2)]
    assert best_practice_warnings(objectives, krs) == []
