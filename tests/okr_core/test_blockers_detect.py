"""detect(): which texts report a current blocker, of which kind, and what blocks."""

import pytest

from okr_core.blockers import BlockerKind
from okr_core.blockers.detect import MAX_CHARS, detect  # the cue rules, which the trained miner uses as evidence

DEPENDENCY, PERSON, EXTERNAL = BlockerKind.DEPENDENCY, BlockerKind.PERSON, BlockerKind.EXTERNAL
RESOURCE, TECHNICAL = BlockerKind.RESOURCE, BlockerKind.TECHNICAL

BLOCKERS = [
    ("Blocked by PLAT-431 until the auth refactor lands.", DEPENDENCY),
    ("We're waiting on the payments team to ship their new endpoint.", DEPENDENCY),
    ("Can't start the migration until the schema PR is merged.", DEPENDENCY),
    ("This depends on the 2.4 release of the SDK.", DEPENDENCY),
    ("The export PR needs the parser change merged first.", DEPENDENCY),
    ("Still waiting for Priya to approve the rollout plan.", PERSON),
    ("The PR is awaiting review from the security lead.", PERSON),
    ("Pending sign-off from legal before we can publish the page.", PERSON),
    ("Need Marco to confirm the thresholds before I continue.", PERSON),
    ("Waiting for QA sign-off.", PERSON),
    ("Legal review pending.", PERSON),
    ("We need feedback from the design lead before we build it.", PERSON),
    ("Our iOS build is stuck in the App Store review queue again.", EXTERNAL),
    ("Waiting on the vendor to send us the production API keys.", EXTERNAL),
    ("Blocked by an upstream bug in the PostgreSQL driver.", EXTERNAL),
    ("The customer has not answered yet, so the integration is on hold.", EXTERNAL),
    ("We don't have enough capacity this sprint to pick up the export work.", RESOURCE),
    ("I still need access to the production database to run the backfill.", RESOURCE),
    ("Half the team is out sick and we're short-staffed until March.", RESOURCE),
    ("Waiting for the new GPU machines to arrive before training can start.", RESOURCE),
    ("We need two more engineers to hit this key result.", RESOURCE),
    ("CI has been broken since Tuesday, so nothing can merge.", TECHNICAL),
    ("The staging environment is down again and QA cannot test anything.", TECHNICAL),
    ("Deploys keep failing because of the flaky integration tests.", TECHNICAL),
    ("Tech debt in the billing module is slowing us down a lot.", TECHNICAL),
]

NOT_BLOCKERS = [
    # negations
    "We are no longer blocked on the design review.",
    "Nothing is blocking this right now.",
    "This shouldn't block the release.",
    "Not a blocker for the beta.",
    "Blockers: none.",
    "I don't think anyone is blocked by this change.",
    # resolved
    "We were blocked by the VPN outage, but it's fixed now.",
    "CI was broken yesterday but it has been fixed.",
    "Was waiting on the vendor; they finally sent the keys, closing this.",
    # hypotheticals
    "If the API team slips, this could block our launch.",
    "We might be waiting on legal if the contract changes.",
    "In case the vendor is late we would be blocked on certificates.",
    # other meanings of "block"
    "Users with an ad blocker see a blank page.",
    "Wrap the snippet in a code block so it renders.",
    "Switched the socket to non-blocking I/O to cut latency.",
    "We moved the old images to block storage.",
    "Blocked users can no longer comment on the board.",
    "The call blocks until the lock is released, which is expected.",
    "Can't wait to see this shipped!",
    # ordinary progress talk
    "No blockers this week.",
    "Thanks for the review!",
    "The review is done, merging now.",
    "Merged the fix and deployed it to production.",
    "Looks good to me, thanks for the quick turnaround.",
]


@pytest.mark.parametrize("text, kind", BLOCKERS)
def test_reports_current_blocker_with_its_kind(text, kind):
    finding = detect(text)
    assert finding is not None and finding.is_blocker, text
    assert finding.kind is kind, (text, finding)
    assert finding.confidence >= 0.5


@pytest.mark.parametrize("text", NOT_BLOCKERS)
def test_negated_resolved_hypothetical_and_other_senses_are_not_blockers(text):
    finding = detect(text)
    assert finding is None or not finding.is_blocker, (text, finding)


def test_phrase_names_what_blocks():
    assert detect("Waiting on design specs, nothing else to do.").phrase == "Waiting on design specs"
    assert "payments team" in detect("Blocked by the payments team, they owe us the refund API.").phrase
    assert detect("The nightly jobs fail due to the Docker Hub rate limit.").phrase == "the Docker Hub rate limit"


def test_source_id_is_carried_into_the_finding():
    assert detect("Blocked on the security review.", source_id="c-17").source_id == "c-17"


@pytest.mark.parametrize("text", ["The rollout might be blocked by the vendor.", "Still stuck at the same step."])
def test_weak_or_speculative_signal_is_flagged_ambiguous_and_not_a_blocker(text):
    finding = detect(text)
    assert finding is not None and finding.ambiguous and not finding.is_blocker


def test_explicit_blocker_is_more_confident_than_a_weak_hint():
    strong = detect("We are blocked on the data team's export; can't proceed until it ships.")
    weak = detect("Still stuck at the same step.")
    assert strong.confidence > weak.confidence
    assert not strong.ambiguous


def test_question_about_blockers_is_not_a_report():
    finding = detect("Is anything blocking you on this ticket?")
    assert finding is None or not finding.is_blocker


def test_typographic_apostrophes_and_emoji_are_understood():
    finding = detect("We’re blocked on the design review 😞 — can’t proceed until it’s done.")
    assert finding.is_blocker and finding.kind is PERSON


@pytest.mark.parametrize("text", [None, "", "   ", "\n\n", "🚧🚧🚧", "İstanbul ekibi hazır."])
def test_empty_or_signal_free_input_gives_none(text):
    assert detect(text) is None


def test_characters_that_lowercase_to_two_keep_offsets_right():
    finding = detect("İİİ note: blocked by the İstanbul office's VPN approval.")
    assert finding.is_blocker
    assert "İstanbul office's VPN approval" in finding.phrase


def test_huge_input_is_mined_from_its_beginning_only():
    # Bounded work whatever the size (no timing here: bench/blockers.py measures speed): the
    # finding of a 7 MB comment is that of its first MAX_CHARS characters.
    text = "Blocked by the billing team. " + "Lorem ipsum dolor sit amet, blocked? " * 200_000
    finding = detect(text)
    assert finding.is_blocker and "billing team" in finding.phrase
    assert finding == detect(text[:MAX_CHARS])


def test_markdown_and_links_do_not_hide_the_blocker():
    finding = detect("**Blocked by** [the auth issue](https://github.com/acme/api/issues/42) for now.")
    assert finding.is_blocker and finding.kind is DEPENDENCY
    assert "acme/api#42" in finding.phrase or "auth issue" in finding.phrase


def test_resolution_later_in_the_text_cancels_the_blocker():
    finding = detect("Blocked by the vendor's certificate. Update: they delivered it and it is resolved.")
    assert finding is None or not finding.is_blocker


def test_new_blocker_after_a_resolved_one_is_still_reported():
    finding = detect("The CI outage is fixed now. Still waiting on the security review, though.")
    assert finding.is_blocker and finding.kind is PERSON
    assert "security review" in finding.phrase
