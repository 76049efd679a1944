"""The language of blockers: each cue is a pattern, a weight, where its blocker is named, and a kind hint.

Patterns run on lower-cased text with typographic apostrophes made plain. Each starts with its rarest
word so the regex engine can skip ahead to it (a leading \\b or alternation of short words would make
it try every position); what must come before that word is a separate `before` pattern, checked only
where the word occurs. A cue runs only when a word of the text starts like one of its `needs`
(their first four characters; a need of three letters or fewer must be the whole word).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from okr_core.blockers.model import BlockerKind as K

# Where the thing that blocks is named relative to the cue.
AFTER, BEFORE, SELF = "after", "before", "self"

_CANT = r"(?:can't|cannot|can\s+not|unable\s+to|not\s+able\s+to|couldn't|no\s+way(?:\s+for\s+\w+)?\s+to)"
_DONE = r"(?:merged|released|resolved|fixed|landed|approved|reviewed|published|available|done|ready|shipped|deployed)"
_SAME_SENTENCE = r"(?:[^.!?\n]|\.(?=\d))"   # a version number's dot does not end a sentence


@dataclass(frozen=True)
class Cue:
    """One way of saying that something blocks work."""

    name: str
    needs: tuple[str, ...]
    pattern: re.Pattern
    weight: float
    side: str
    hint: K | None = None
    before: re.Pattern | None = None   # must match right before `pattern`, within BEFORE_WINDOW chars


BEFORE_WINDOW = 90


def _cue(name, needs, pattern, weight, side, hint=None, before=None) -> Cue:
    compiled_before = re.compile(rf"\b(?:{before})\s*$") if before else None
    return Cue(name, tuple(needs.split("|")), re.compile(pattern), weight, side, hint, compiled_before)


CUES: tuple[Cue, ...] = (
    # Explicit blocking vocabulary.
    _cue("blocked-by", "block|held|stalled|gated",
         r"(?:blocked|held\s+up|held\s+back|gated|stalled)\s+(?:on|by|behind|because(?:\s+of)?|due\s+to|until|"
         r"waiting|pending)\b", 1.0, AFTER),
    _cue("blocked", "block", r"blocked\b", 0.7, SELF),
    _cue("is-blocking", "block", r"blocking\b", 0.9, BEFORE,
         before=r"(?:is|are|'s|keeps?|currently|still|therefore|now)\s+(?:\w+\s+)?"),
    _cue("blocks-us", "block", r"blocks?\s+(?:us|me|them|our|the|this|merging|release|progress)\b", 0.8, BEFORE),
    _cue("a-blocker", "block|roadblock|showstopper", r"(?:blocker|roadblock|showstopper)\b", 0.8, BEFORE,
         before=r"(?:is|as|hence|it's|a\s+(?:real|major|big|hard))\s+(?:a\s+)?"),
    _cue("blocker-word", "block|roadblock|showstopper", r"(?:blocker|roadblock|showstopper)s?\b", 0.35, SELF),
    # Waiting.
    _cue("waiting-on", "wait", r"wait(?:ing|s)?\s+(?:on|for|until|till|in)\b", 0.9, AFTER),
    _cue("waiting-to-be", "wait", r"waiting\s+(?:\w+\s+)?to\s+be\s+" + _DONE, 0.8, BEFORE, K.DEPENDENCY),
    _cue("awaiting", "awaiting", r"awaiting\b", 0.8, AFTER),
    _cue("wait-bare", "wait", r"wait(?:ed|ing)?\b", 0.35, AFTER),
    _cue("pending-what", "pending",
         r"pending\s+(?:\w+\s+)?(?:review|approval|sign[- ]?off|merge|release|decision|confirmation|response|"
         r"feedback|answer)s?\b", 0.9, SELF, K.PERSON),
    _cue("pending-on", "pending", r"pending\s+(?:on|for)\b", 0.8, AFTER),
    _cue("still-pending", "pending", r"pending\b", 0.8, AFTER, before=r"still"),
    _cue("on-hold", "hold", r"on\s+hold\b|hold(?:ing)?\s+off\s+(?:on|until)\b", 0.8, AFTER),
    _cue("stuck", "stuck", r"stuck\b", 0.45, AFTER),
    _cue("we-are-stuck", "stuck", r"stuck\b", 0.8, AFTER,
         before=r"(?:we|i|they|team)(?:'re|'m|\s+are|\s+am|\s+is|'ve\s+been|\s+have\s+been|\s+got)"),
    # Cannot proceed, prerequisites, ordering.
    _cue("cannot-until", "until|till", r"(?:until|till)\b", 1.0, AFTER, before=_CANT + _SAME_SENTENCE + r"{0,60}?"),
    _cue("until-we-have", "until|till", r"(?:until|till)\s+(?:we|i|they|you)\s+(?:have|get|receive|hear)\b",
         0.7, AFTER),
    _cue("cannot-act", "can|can't|cannot|unable|able|way|couldn't",
         _CANT + r"\s+(?:\w+\s+)?(?:proceed|continue|move\s+forward|progress|deploy|merge|release|ship|publish|"
         r"test|log\s*in|login|access|upgrade|finish|complete)\b", 0.7, SELF),
    _cue("needed-first", "first", r"first\b", 0.9, SELF, K.DEPENDENCY,
         before=r"(?:needs?|requires?|must|has\s+to|have\s+to)\b" + _SAME_SENTENCE + r"{0,40}?" + _DONE
         + r"|must"),
    _cue("first-needs", "first", r"first\s+needs?\s+to\s+be\b", 0.9, SELF, K.DEPENDENCY),
    _cue("depends-on", "depend", r"(?:depends|depending|dependent)\s+on\b|has\s+a\s+dependency\s+on\b", 0.7,
         AFTER, K.DEPENDENCY),
    _cue("once-done", "once|soon",
         r"(?:once|as\s+soon\s+as)\b" + _SAME_SENTENCE + r"{0,80}?\b(?:is|are|gets?|got|has\s+been|have\s+been)\s+"
         + _DONE, 0.45, SELF, K.DEPENDENCY),
    _cue("before-we-can", "before", r"before\s+(?:we|i)\s+(?:can|do)\b", 0.4, SELF),
    _cue("preventing", "prevent|stopping|keeping",
         r"(?:preventing|prevents|stopping|keeping)\s+(?:me|us|them|other\s+\w+|our\s+\w+|the\s+team)\s+from\b",
         0.9, BEFORE),
    # People.
    _cue("someone-must-act", "approve|review|sign|confirm|respond|answer|reply|merge",
         r"to\s+(?:approve|review|sign\s+off|confirm|respond|answer|reply|merge)\b", 0.7, SELF, K.PERSON,
         before=r"(?:needs?|require[sd]?|waiting\s+for|until|wait\s+for)\s+(?:\w+\s+){0,3}?"),
    _cue("input-before", "before|first",
         r"(?:feedback|input|approval|sign[- ]?off|go[- ]ahead|answer|confirmation|decision)\s+(?:(?:on|from)\s+"
         + _SAME_SENTENCE + r"{0,40}?)?(?:before|first)\b", 0.7, SELF, K.PERSON),
    _cue("no-response", "response|reply|replies|answer", r"(?:response|reply|replies|answer)s?\b", 0.7, SELF,
         before=r"(?:no|zero|without\s+(?:a|any)|lack\s+of)\s+(?:\w+\s+)?"),
    _cue("not-heard-back", "back", r"hear(?:d)?\s+back\b", 0.7, SELF, before=r"(?:\w+n't|not|never)\s+(?:\w+\s+)?"),
    _cue("no-word", "word", r"no\s+word\s+from\b", 0.7, SELF),
    _cue("needs-approval", "approval|sign|go-ahead|review|decision|feedback|input",
         r"(?:approval|sign[- ]?off|go[- ]ahead|review|decision|feedback|input)\b", 0.6, SELF, K.PERSON,
         before=r"(?:still\s+)?(?:need|needs|needed|requires?|required|waiting\s+for)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?"),
    _cue("review-pending", "pending", r"pending\b", 0.8, SELF, K.PERSON,
         before=r"(?:review|approval|sign[- ]?off|response|decision|merge|release)\s+(?:is\s+|still\s+)?"),
    _cue("anyone-pick-up", "someone|anyone|any|one",
         r"could\s+(?:someone|anyone|one\s+of\s+the\s+\w+)\b|any\s?one\s+can\b", 0.35, SELF, K.PERSON),
    _cue("still-not", "still",
         r"still\s+(?:no|not|awaiting|waiting|pending|stuck|blocked|does\s+not|doesn't|hasn't|haven't|isn't|"
         r"can't|cannot)\b", 0.4, SELF),
    # Resources.
    _cue("no-access", "access|permission|credentials|rights|license|licence|seat",
         r"(?:access|permissions?|credentials|rights|licen[cs]es?|seats?)\b", 0.8, SELF, K.RESOURCE,
         before=r"(?:no|without|lack(?:ing)?|don't\s+have|do\s+not\s+have|doesn't\s+have|haven't\s+got|need|needs|"
                r"request(?:ing)?|like|waiting\s+for|missing)\s+(?:\w+\s+){0,2}?"),
    _cue("no-capacity", "capacity|bandwidth|headcount|people|staff|time|budget|funding|resources|hands",
         r"(?:capacity|bandwidth|headcount|people|staff|time|budget|funding|resources|hands)\b", 0.8, SELF,
         K.RESOURCE,
         before=r"(?:out\s+of|no|not\s+enough|lack\s+of|lacking|limited|short\s+on|low\s+on|no\s+spare|"
                r"(?:don't|do\s+not|doesn't|does\s+not)\s+have\s+(?:the|enough|any))\s+(?:\w+\s+)?"),
    _cue("need-more-people", "more|another|additional|extra",
         r"(?:more|another|additional|extra)\s+(?:\w+\s+)?(?:engineers?|developers?|designers?|people|hands|"
         r"headcount|testers?)\b", 0.6, SELF, K.RESOURCE, before=r"(?:need|needs|require|requires)\s+(?:\w+\s+)?"),
    _cue("stretched", "understaffed|short|overloaded|stretched|crunch|burner|capacity",
         r"(?:understaffed|short[- ]staffed|short[- ]handed|overloaded|stretched\s+thin|crunch|back\s+burner|"
         r"over\s+capacity|at\s+capacity)\b", 0.7, SELF, K.RESOURCE),
    _cue("away-until", "away|out|off|leave|vacation|holiday|pto",
         r"(?:away|out|off|on\s+(?:\w+\s+)?(?:leave|vacation|holidays?|pto))\s+(?:until|till|for|through)\b", 0.7,
         SELF, K.RESOURCE, before=r"(?:am|'m|is|are|'re|will\s+be)\s+(?:\w+\s+)?"),
    _cue("out-of-office", "office", r"out\s+of\s+(?:the\s+)?office\b", 0.6, SELF, K.RESOURCE),
    _cue("no-hardware", "have|own|use",
         r"(?:have|own|use)\s+(?:a\s+|an\s+|any\s+)?(?:mac|macbook|windows|linux|iphone|ipad|android|device|gpu|"
         r"hardware|test\s+machine|machine|server)s?\b", 0.6, SELF, K.RESOURCE,
         before=r"(?:don't|do\s+not|doesn't)\s+(?:\w+\s+)?"),
    _cue("quota", "quota|limit|minutes|credits|space|storage",
         r"(?:quota|limit|minutes|credits|disk\s+space|storage)\b", 0.8, SELF, K.RESOURCE,
         before=r"(?:hit|hitting|reached|exceeded|ran\s+out\s+of|run\s+out\s+of|running\s+out\s+of|out\s+of)\s+"
                r"(?:\w+\s+){0,2}?"),
    # Technical.
    _cue("rate-limit", "rate|throttled", r"rate[- ]limit(?:s|ed|ing)?\b|throttl(?:ed|ing)\b", 0.6, SELF, K.TECHNICAL),
    _cue("ci-broken", "broken|failing|red|down|crashing|timing",
         r"(?:broken|failing|red|down|crashing|timing\s+out)\b", 0.8, SELF, K.TECHNICAL,
         before=r"(?:ci|build|builds|pipelines?|tests?|jobs?|workflows?|deploy(?:ment)?s?|staging|main|master|"
                r"runners?|environment|tooling|checks?)\s+(?:\w+\s+){0,2}?"),
    _cue("failure-due-to", "due|because", r"(?:due\s+to|because(?:\s+of)?)\b", 0.7, AFTER, K.TECHNICAL,
         before=r"(?:fail(?:s|ing|ed|ure|ures)?|broken|breaks)\s+(?:\w+\s+){0,3}?"),
    _cue("build-failure", "failure", r"(?:build|ci|test|deploy(?:ment)?|pipeline)\s+failures?\b", 0.6, SELF,
         K.TECHNICAL),
    _cue("flaky", "flaky", r"flak(?:y|ey)\s+(?:\w+\s+)?(?:tests?|ci|builds?|jobs?|infra\w*)\b", 0.45, SELF,
         K.TECHNICAL),
    _cue("none-running", "none",
         r"none\s+of\s+(?:our|the)\s+(?:builds|jobs|prs|tests|pipelines|deploys|workflows)\b", 0.6, SELF,
         K.TECHNICAL),
    _cue("tech-debt", "debt|legacy", r"tech(?:nical)?\s+debt\b|legacy\s+(?:code|system)\b", 0.7, SELF, K.TECHNICAL),
    _cue("slowing-us", "difficult|hard|impossible|slow",
         r"mak(?:es|ing)\s+it\s+(?:\w+\s+)?(?:difficult|hard|impossible)\b|slow(?:s|ing)\s+(?:us|me|the\s+team)"
         r"\s+down\b", 0.4, SELF),
    # External parties.
    _cue("store-review", "store|marketplace|app|review",
         r"(?:app|play|web|add-?ons?|extension|microsoft|mac\s+app)\s+store\b|marketplace\s+review\b|"
         r"app\s+(?:review|center)\b|review\s+queue\b|in\s+review\b", 0.5, SELF, K.EXTERNAL),
    _cue("backed-up", "backed|backlogged", r"backed[- ]up\b|backlogged\b", 0.4, SELF),
    _cue("rejected", "rejected", r"rejected\b", 0.4, SELF, K.EXTERNAL, before=r"(?:got|was|been|is|were)"),
    _cue("upstream", "upstream",
         r"upstream\s+(?:bug|issue|fix|patch|change|release|regression|pr|project)s?\b", 0.6, SELF, K.EXTERNAL),
    _cue("unsupported-yet", "support", r"support\b" + _SAME_SENTENCE + r"{0,40}?\byet\b", 0.7, SELF, K.EXTERNAL,
         before=r"(?:\w+n't|not)\s+(?:\w+\s+)?"),
    _cue("not-supported-yet", "supported", r"not\s+(?:yet\s+)?supported\s+yet\b", 0.7, SELF, K.EXTERNAL),
)
