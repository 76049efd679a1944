"""Blockers: mined from linked items' comments and check-in texts, grouped with their sources."""
from tests.sync.analysis.analysis_builders import check_in, comment, item, kr, make_ctx

from okr_core.analysis.blocker_report import blockers_section
from okr_core.blockers import detect


def _ctx():
    return make_ctx(
        krs=[kr(1), kr(2)],
        items=[item(1, (1,)), item(2, (2,))],
        comments=[comment(11, 1, "Waiting on design specs for the login page"),
                  comment(12, 2, "Waiting on design specs for the settings page"),
                  comment(13, 1, "No longer blocked, staging is back"),
                  comment(14, 2, "Looks good to me"),
                  comment(15, 9, "Waiting on design specs")],          # item 9 is not linked
        check_ins=[check_in(1, 2, 3, blockers="Waiting on design specs"),
                   check_in(2, 1, 3, note="Short on capacity this sprint"),
                   check_in(3, 1, 10, blockers="CI has been broken since the runner upgrade")])


def test_recurring_blockers_are_grouped_with_their_sources_and_key_results():
    section = blockers_section(_ctx())
    top = section["recurring"][0]
    assert top["phrase"] == "waiting on design specs"
    assert top["kind"] == "dependency"
    assert top["count"] == 3
    assert top["source_ids"] == ["comment:11", "comment:12", "check-in:1:blockers"]
    assert top["kr_ids"] == [1, 2]
    assert top["samples"][0] == "Waiting on design specs for the login page"
    assert len(section["recurring"]) == 1                # the others are mentioned once


def test_each_blocker_is_classified_and_negations_are_not_blockers():
    section = blockers_section(_ctx())
    assert section["mentions"] == 5                      # "no longer blocked" is not one
    counts = {k: v["mentions"] for k, v in section["by_kind"].items()}
    # The trained model names the kinds; the design-spec waits and the broken CI are unambiguous.
    # ("Short on capacity" is a resource blocker the v3 model calls technical: a known miss.)
    assert sum(counts.values()) == 5 and counts["unclassified"] == 0
    assert counts["dependency"] >= 3 and counts["technical"] >= 1
    assert detect("CI has been broken since the runner upgrade").kind.value == "technical"
    assert 1 in section["by_kind"]["technical"]["kr_ids"]


def test_no_texts_no_blockers():
    section = blockers_section(make_ctx(krs=[kr(1)]))
    assert section["mentions"] == 0 and section["recurring"] == []


def test_unsure_calls_are_listed_for_review_whether_counted_or_not():
    texts = ["might be blocked by legal, not sure yet", "need design input", "Waiting on design specs",
             "maybe waiting on the vendor?", "could use a hand with the review", "Looks good to me"]
    ctx = make_ctx(krs=[kr(1)], items=[item(1, (1,))],
                   comments=[comment(n, 1, text) for n, text in enumerate(texts, start=1)])
    section = blockers_section(ctx)
    findings = {f"comment:{n}": detect(text) for n, text in enumerate(texts, start=1)}
    unsure = [(sid, f.is_blocker) for sid, f in findings.items() if f is not None and f.ambiguous]
    assert unsure, "the model should be unsure of at least one of these"
    assert [(a["source_id"], a["counted"]) for a in section["ambiguous"]] == unsure
    assert all(a["kr_ids"] == [1] and a["text"] == texts[int(a["source_id"].split(":")[1]) - 1]
               for a in section["ambiguous"])
    assert section["mentions"] == sum(1 for f in findings.values() if f is not None and f.is_blocker)
