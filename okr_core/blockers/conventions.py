"""The labelling conventions for kinds, as features: which words name which kind of blocker.

The corpora label by who or what holds the work up: an upstream project, a vendor, a store or a
customer is external; a release or PR of the project itself (or a sibling team's) is a dependency;
rate limits, outages and broken CI or environments are technical; CI credits, access, hardware and
people's time are resources; reviews, sign-offs and answers are a person's. Each word or word pair
below votes for its kind; the trained model weighs the votes (features.py). Lookups are set
intersections with the words the features already hold, so they cost next to nothing.
"""
from __future__ import annotations

import re

from okr_core.blockers.model import BlockerKind as K

_CAP = 3.0      # votes a kind can collect: a long text must not win by length


def _votes(kind: K, grams: str) -> dict[str, K]:
    return {gram.replace("_", " "): kind for gram in grams.split()}


CONVENTIONS: dict[str, K] = {
    **_votes(K.EXTERNAL, "upstream vendor vendors third-party supplier customer customers client clients partner "
                         "partners court store google apple mozilla microsoft amo addons play_store app_store "
                         "web_store chrome_web the_store certification certified submission submitted_a support_team "
                         "their_support support_ticket contact_us electron chromium browser_vendor regulator agency"),
    **_votes(K.DEPENDENCY, "#0 merged merge release released releases land lands landed once_#0 after_#0 pr_#0 "
                           "other_pr stacked depends depend depending backend design designs content spec specs export "
                           "migration team other_team their_pr your_pr"),
    **_votes(K.TECHNICAL, "ci build builds failing fails failed failure failures broken error errors outage incident "
                          "degraded rate_limit rate-limit rate limited actions runner runners windows docker staging "
                          "deploy deployment compile compilation xcode flaky intermittently crash test tests pipeline "
                          "environment ssl timeout timeouts queued status_page infrastructure coverage"),
    **_votes(K.RESOURCE, "credits credit access permission permissions invite invitation hardware equipment device "
                         "devices mac macos machine gpu time busy classes coursework capacity bandwidth volunteers "
                         "volunteer money funding budget quota add_me publish_access rights account seat license "
                         "minutes sponsor sponsorship lawyer editor translator people"),
    **_votes(K.PERSON, "review reviewed reviewing reviewer reviewers approval approvals approve approved answer respond "
                       "response responses reply replies feedback sign-off sign_off cla decision ping pinged waiting_for "
                       "hear confirm confirmation legal security_review input opinion"),
}
_OTHER_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+#\d")


def convention_features(grams: set[str], shortened: str) -> dict[str, float]:
    """Per kind, its share of the capped votes of the text's words and word pairs; "conv:other_repo"
    when the text links an issue or PR of another repository (an upstream's, usually)."""
    votes: dict[K, float] = {}
    for gram in grams & _CONVENTION_GRAMS:
        kind = CONVENTIONS[gram]
        votes[kind] = votes.get(kind, 0.0) + 1.0
    found = {f"conv:{kind.value}": min(count, _CAP) / _CAP for kind, count in votes.items()}
    if "#" in shortened and _OTHER_REPO.search(shortened):
        found["conv:other_repo"] = 1.0
    return found


_CONVENTION_GRAMS = frozenset(CONVENTIONS)
