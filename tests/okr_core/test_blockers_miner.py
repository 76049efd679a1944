"""The trained miner (okr_core.blockers.detect): verdicts, kinds by the labelling conventions, grouping.

The sentences are the team's own, written for these tests (no corpus sentence enters the repository).
"""
import pytest

from okr_core.blockers import BlockerKind, detect, group_recurring, miner_version
from okr_core.blockers.conventions import convention_features
from okr_core.blockers.features import gram_features, text_features, words
from okr_core.blockers.learned import load_model

DEPENDENCY, PERSON, EXTERNAL = BlockerKind.DEPENDENCY, BlockerKind.PERSON, BlockerKind.EXTERNAL
RESOURCE, TECHNICAL = BlockerKind.RESOURCE, BlockerKind.TECHNICAL

CURRENT_BLOCKERS = [
    ("We're blocked until the vendor sends the signed certificate; their support has not replied in a week.",
     EXTERNAL),
    ("Our extension update has been stuck in the Chrome Web Store review queue for nine days.", EXTERNAL),
    ("Can't ship this until #812 is merged, it carries the schema change we need.", DEPENDENCY),
    ("The nightly jobs keep failing because we hit the Docker Hub rate limit on every run.", TECHNICAL),
    ("Still waiting on a review from the maintainers before this can be merged.", PERSON),
    ("I don't have publish access to the npm package, so I can't cut the release myself.", RESOURCE),
]

NOT_BLOCKERS = [
    "Thanks for the quick fix, merged and deployed!",
    "Update: the upstream fix landed and we are unblocked.",
    "We were blocked on the vendor, but that is resolved now.",
    "Users with an ad blocker enabled see an empty sidebar.",
    "Please wrap the stack trace in a code block so it is readable.",
    "Added a `blocked` label so triage can find these later.",
]


@pytest.mark.parametrize("text, kind", CURRENT_BLOCKERS)
def test_current_blockers_are_found_with_their_kind(text, kind):
    finding = detect(text, "c-1")
    assert finding is not None and finding.is_blocker, (text, finding)
    assert finding.kind is kind, (text, finding)
    assert finding.source_id == "c-1" and finding.phrase


@pytest.mark.parametrize("text", NOT_BLOCKERS)
def test_resolved_blockers_other_senses_and_plain_updates_are_not_blockers(text):
    finding = detect(text)
    assert finding is None or not finding.is_blocker, (text, finding)


@pytest.mark.parametrize("text", [None, "", "   \n"])
def test_empty_text_gives_no_finding(text):
    assert detect(text) is None


def test_miner_version_is_the_shipped_models():
    assert miner_version() == load_model().version


def test_conventions_vote_for_the_kind_their_words_name():
    grams = gram_features(words("Held up by the upstream vendor; the CI runners are failing too."))
    votes = convention_features(grams, "")
    assert votes["conv:external"] > 0 and votes["conv:technical"] > 0
    assert "conv:person" not in votes
    # A long text cannot pile up votes: each kind's share is capped at 1.
    many = gram_features(words(" ".join(["ci build failing runner docker outage"] * 20)))
    assert convention_features(many, "")["conv:technical"] == 1.0


def test_a_link_to_another_repositorys_issue_is_marked():
    linked = text_features("Blocked by https://github.com/someone/somelib/issues/77 until they fix it.")
    local = text_features("Blocked by #77 until it is fixed.")
    assert linked.get("conv:other_repo") == 1.0
    assert "conv:other_repo" not in local


def test_recurring_blocker_said_in_other_words_is_one_group():
    texts = [
        "Blocked again: the Docker Hub rate limit stopped the image pulls in CI.",
        "CI image pulls fail, Docker Hub rate limit hit once more.",
        "We keep hitting the Docker Hub rate limit when CI pulls images.",
        "Waiting for Dana to approve the budget for the new laptops.",
    ]
    found = [(detect(text, str(n)), text) for n, text in enumerate(texts)]
    groups = group_recurring([(finding, text) for finding, text in found if finding is not None])
    docker = [group for group in groups if {"0", "1", "2"} <= set(group.source_ids)]
    assert docker and "3" not in docker[0].source_ids, groups
    assert "rate limit" in docker[0].phrase.lower()


def test_written_examples_are_well_formed_and_cover_every_kind():
    """The team's own training sentences (data/written_examples.jsonl): one labelled item a line."""
    import json
    from pathlib import Path

    import okr_core.blockers

    path = Path(okr_core.blockers.__file__).parent / "data" / "written_examples.jsonl"
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len({item["id"] for item in items}) == len(items)
    assert len({item["text"] for item in items}) == len(items)
    kinds = {kind.value for kind in BlockerKind}
    for item in items:
        assert item["id"].startswith("w-") and 0 < len(item["text"]) <= 400
        if item["is_blocker"]:
            assert item["kind"] in kinds and item["blocker"]
        else:
            assert item["kind"] is None
    assert {item["kind"] for item in items if item["is_blocker"]} == kinds
    assert sum(not item["is_blocker"] for item in items) >= 100
