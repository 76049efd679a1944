"""Blockers: mined from linked items' comments and check-in texts, grouped with their sources."""
from tests.sync.analysis.analysis_builders import check_in, comment, item, kr, make_ctx

from okr_core.analysis.blocker_report import blockers_section


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
    assert {k: v["mentions"] for k, v in section["by_kind"].items()} == {
        "dependency": 3, "person": 0, "external": 0, "resource": 1, "technical": 1,
        "unclassified": 0}
    assert section["by_kind"]["resource"]["kr_ids"] == [1]
    assert section["by_kind"]["technical"]["kr_ids"] == [1]


def test_no_texts_no_blockers():
    section = blockers_section(make_ctx(krs=[kr(1)]))
    assert section["mentions"] == 0 and section["recurring"] == []


def test_unsure_calls_are_listed_for_review_whether_counted_or_not():
    ctx = make_ctx(krs=[kr(1)], items=[item(1, (1,))],
                   comments=[comment(1, 1, "might be blocked by legal, not sure yet"),
                             comment(2, 1, "need design input"),
                             comment(3, 1, "Waiting on design specs")])
    section = blockers_section(ctx)
    assert section["ambiguous_count"] == 2
    assert [(a["source_id"], a["counted"]) for a in section["ambiguous"]] == [
        ("comment:1", False), ("comment:2", True)]
    assert section["ambiguous"][0]["text"] == "might be blocked by legal, not sure yet"
    assert section["ambiguous"][0]["kr_ids"] == [1]
    assert section["mentions"] == 2                      # the unsure negative is not counted
