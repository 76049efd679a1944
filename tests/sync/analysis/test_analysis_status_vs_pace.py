"""The analysis flags a reported status the pace contradicts, in the KR's own units."""
from dataclasses import replace

from tests.sync.analysis.analysis_builders import kr, make_ctx, weekly_snapshots

from okr_core.analysis.compute import analyse
from okr_core.analysis.digest import build_digest
from okr_core.analysis.forecast import forecast_section
from okr_core.analysis.narrative_check import check_narrative
from okr_core.analysis.narrative_template import template_narrative


def _incidents_kr():
    """"Cut P1 incidents from 8 to 2": reported on track, a third of the way at half time."""
    return replace(kr(1, progress=0.3, status="on_track"), title="Cut P1 incidents from 8 to 2",
                   start_value=8.0, target_value=2.0, unit="incidents")


def test_forecast_lists_the_disagreement_with_its_chance():
    ctx = make_ctx(krs=[_incidents_kr(), kr(2, progress=0.5, status="on_track")],
                   snapshots=weekly_snapshots(1, [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]))
    section = forecast_section(ctx)
    [row] = section["disagreements"]
    assert row["kr_id"] == 1 and (row["reported"], row["pace"]) == ("on_track", "off_track")
    assert row["message"] == ("reported on track, but at the current pace it reaches "
                              "4.4 incidents (target 2 incidents)")
    assert row["chance"] == 0.0


def test_the_template_narrative_names_it_and_passes_the_number_checks():
    ctx = make_ctx(krs=[_incidents_kr()],
                   snapshots=weekly_snapshots(1, [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]))
    facts, _ = build_digest(analyse(ctx.facts), {1: "Cut P1 incidents from 8 to 2"}, 10)
    assert facts["forecast"]["status_vs_pace"][0]["ref"] == "kr:1"
    narrative = check_narrative(template_narrative(facts), facts)
    about_it = [concern["text"] for concern in narrative["concerns"] if concern["refs"] == ["kr:1"]]
    # One sentence for the key result, the pace's figure and the forecast's chance together.
    assert about_it == ['"Cut P1 incidents from 8 to 2" is reported on track, but at the current pace it reaches '
                        "4.4 incidents (target 2 incidents): a 0% chance of reaching target (0-39%, 6 weeks "
                        "observed)"]


def test_a_pace_disagreement_alone_names_its_key_result():
    """Without a forecast to join, the pace's sentence still names the KR (it used to say "One key result")."""
    ctx = make_ctx(krs=[_incidents_kr()],
                   snapshots=weekly_snapshots(1, [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]))
    facts, _ = build_digest(analyse(ctx.facts), {1: "Cut P1 incidents from 8 to 2"}, 10)
    facts["forecast"]["status_disagreements"] = []
    narrative = check_narrative(template_narrative(facts), facts)
    assert ('"Cut P1 incidents from 8 to 2" is reported on track, but at the current pace it reaches '
            "4.4 incidents (target 2 incidents)") in [concern["text"] for concern in narrative["concerns"]]


def test_counts_of_one_read_in_the_singular():
    ctx = make_ctx(krs=[_incidents_kr()],
                   snapshots=weekly_snapshots(1, [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]))
    facts, _ = build_digest(analyse(ctx.facts), {1: "Cut P1 incidents from 8 to 2"}, 10)
    narrative = template_narrative(facts)
    assert ": 1 of 1 key result on track," in narrative["headline"]
    assert narrative["summary"].startswith("1 of 1 key result is on track,")
