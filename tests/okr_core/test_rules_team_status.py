"""A team's colour in reports: its rolled-up objective status, and the spread of its KRs."""
import pytest

from okr_core.domain import KRStatus
from okr_core.rules import score_rollup, status_spread, team_status

ON, RISK, OFF, NEW = (KRStatus.ON_TRACK, KRStatus.AT_RISK, KRStatus.OFF_TRACK,
                      KRStatus.NOT_STARTED)


@pytest.mark.parametrize("objectives, expected, status", [
    pytest.param([[(1, 0.5), (1, 0.55)], [(1, 0.47)]], 0.55, ON,
                 id="team-at-half-with-a-lagging-kr-is-on-track"),
    pytest.param([[(1, 0.0), (3, 0.8)]], 0.6, ON, id="weighted-as-spec-2"),
    pytest.param([[(3, 0.0), (1, 0.8)]], 0.6, OFF, id="heavy-kr-behind"),
    pytest.param([[(1, 0.45)]], 0.6, RISK, id="at-risk-band"),
    pytest.param([[(1, None), (1, 0.6)]], 0.6, ON, id="not-started-kr-left-out"),
    pytest.param([[(1, None)], [(1, None)]], 0.6, NEW, id="nothing-started"),
    pytest.param([], 0.6, NEW, id="no-objectives"),
    pytest.param([[], [(1, 0.9)]], 0.6, ON, id="rollup-parent-without-krs-ignored"),
    pytest.param([[(1, 1.6)], [(1, 0.0)]], 0.6, RISK, id="over-achiever-clamped-to-one"),
])
def test_team_status_is_pace_of_rolled_up_objectives(objectives, expected, status):
    assert team_status(objectives, expected) is status


def test_status_spread_counts_each_status_with_not_started_apart():
    spread = status_spread([ON, ON, "at_risk", OFF, NEW, NEW])
    assert spread == {"on_track": 2, "at_risk": 1, "off_track": 1, "not_started": 2}


@pytest.mark.parametrize("children, score", [
    pytest.param([0.5, 0.4], 0.5, id="mean-rounded-half-up"),
    pytest.param([0.7, None, 0.9], 0.8, id="unscored-child-left-out"),
    pytest.param([None, None], None, id="no-child-scored"),
    pytest.param([], None, id="no-children"),
    pytest.param([1.0], 1.0, id="single-child"),
])
def test_parent_with_only_aligned_children_scores_from_their_scores(children, score):
    assert score_rollup(children) == score


def test_rollup_refuses_a_score_off_the_scale():
    with pytest.raises(ValueError, match="0.0-1.0"):
        score_rollup([1.4])
