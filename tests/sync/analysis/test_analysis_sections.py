"""The whole analysis: every section present, JSON-ready, deterministic, sane at the edges."""
import json

import pytest
from tests.sync.analysis.analysis_builders import at, check_in, comment, item, kr, make_facts, objective, \
    weekly_snapshots

from okr_core.analysis import analyse
from okr_core.analysis.narrative_check import check_narrative
from okr_core.analysis.narrative_template import template_narrative
from okr_core.analysis.prompt import build_prompt

SECTIONS = {"version", "cycle", "scope", "as_of", "subjects", "health", "key_results",
            "alignment", "blockers", "recommendations", "forecast", "retrospective", "directory", "views"}


def _busy_facts(**changes):
    base = dict(objectives=[objective(1, progress=0.5), objective(2, team_id=2, parent_id=1,
                                                                   progress=0.2)],
                krs=[kr(1, 1, 0.5), kr(2, 2, 0.2, "off_track", confidence=2,
                                         changed_days_ago=20)],
                snapshots=weekly_snapshots(1, [0.0, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5]),
                items=[item(1, (1,)), item(2, (2,))],
                comments=[comment(1, 2, "Waiting on the data team"),
                          comment(2, 2, "Still waiting on the data team")],
                check_ins=[check_in(1, 1, 2, status="on_track", wins="Beta shipped")])
    return make_facts(**{**base, **changes})


def test_every_section_is_computed_and_json_ready():
    sections = analyse(_busy_facts())
    assert set(sections) == SECTIONS
    assert json.loads(json.dumps(sections)) == sections      # no dates or objects left in it
    assert sections["subjects"]["key_result_ids"] == [1, 2]


def test_the_same_facts_give_the_same_sections():
    assert analyse(_busy_facts()) == analyse(_busy_facts())


@pytest.mark.parametrize("facts", [
    make_facts(),                                              # no key results at all
    make_facts(krs=[kr(1, progress=None)], now=at(60)),        # before the cycle starts
    make_facts(krs=[kr(1, progress=0.9, final_score=0.9)], status="closed", now=at(-60)),
])
def test_edge_cycles_still_give_a_checked_template_narrative(facts):
    sections = analyse(facts)
    prompt = build_prompt(sections, {k.id: k.title for k in facts.key_results})
    assert check_narrative(template_narrative(prompt.facts), prompt.facts)


def test_before_the_cycle_starts_nothing_is_behind_and_nothing_is_forecast():
    sections = analyse(make_facts(krs=[kr(1, progress=None)], now=at(60)))
    assert sections["health"]["score"] == 100                  # expected progress is 0
    assert sections["health"]["velocity"]["progress_per_week"] is None
    assert sections["forecast"]["key_results"][0]["insufficient_data"] is True
    assert sections["key_results"]["achievability"]["verdict"] == "too_early"
