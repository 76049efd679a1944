"""group_recurring(): recurring blockers counted across comments and check-ins."""
from okr_core.blockers import BlockerFinding, BlockerKind, group_recurring
from okr_core.blockers.detect import detect  # the cue rules: grouping is tested on stable findings
from okr_core.blockers.grouping import phrase_tokens

MENTIONS = {
    "c1": "Nightly builds fail because of the Docker Hub rate limit again.",
    "c2": "Deploy jobs are failing due to the Docker Hub pull rate limit.",
    "c3": "Hit the Docker Hub rate limit on the release pipeline, blocked until it resets.",
    "c4": "Still waiting on design specs for the onboarding flow.",
    "c5": "Blocked: waiting on the design specs from the UX team.",
    "c6": "We need legal to approve the new privacy wording.",
    "c7": "Merged the fix, all green now.",
}


def _mined(mentions: dict[str, str]):
    pairs = []
    for source_id, text in mentions.items():
        finding = detect(text, source_id=source_id)
        if finding is not None:
            pairs.append((finding, text))
    return pairs


def _by_members(groups):
    return {frozenset(group.source_ids): group for group in groups}


def test_same_blocker_in_different_words_is_one_group_with_its_count():
    groups = _by_members(group_recurring(_mined(MENTIONS)))
    docker = groups[frozenset({"c1", "c2", "c3"})]
    assert docker.count == 3
    assert docker.kind is BlockerKind.TECHNICAL
    assert "rate limit" in docker.phrase
    design = groups[frozenset({"c4", "c5"})]
    assert design.count == 2 and "design specs" in design.phrase


def test_single_mentions_and_non_blockers_are_not_recurring():
    members = {sid for group in group_recurring(_mined(MENTIONS)) for sid in group.source_ids}
    assert "c6" not in members and "c7" not in members


def test_min_count_one_keeps_single_mentions():
    groups = group_recurring(_mined(MENTIONS), min_count=1)
    assert any(group.source_ids == ["c6"] and group.count == 1 for group in groups)


def test_groups_come_most_mentioned_first_with_bounded_samples():
    many = {f"d{n}": f"Blocked by the flaky login test in CI, run {n}." for n in range(10)}
    many.update(MENTIONS)
    groups = group_recurring(_mined(many), max_samples=2)
    assert groups[0].count == 10
    assert [group.count for group in groups] == sorted((group.count for group in groups), reverse=True)
    assert all(len(group.sample_texts) <= 2 for group in groups)
    assert groups[0].sample_texts[0].startswith("Blocked by the flaky login test")


def test_findings_that_are_not_blockers_are_ignored():
    weak = BlockerFinding(False, BlockerKind.EXTERNAL, "blocked by the vendor", 0.4, True, "w1")
    assert group_recurring([(weak, "x"), (weak, "y")]) == []


def test_empty_input_gives_no_groups():
    assert group_recurring([]) == []


def test_phrase_tokens_ignore_blocking_words_and_inflections():
    assert phrase_tokens("Waiting on the design specs") == phrase_tokens("blocked by design spec")
    assert phrase_tokens("reviews pending") == phrase_tokens("reviewed") == {"review"}
