"""The language of blockers: each cue is a pattern, a weight, where its blocker is named, and a kind hint.

A cue only runs when one of its `needs` substrings occurs in the lower-cased text, which keeps the
miner cheap: most comments exit after a handful of substring checks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from okr_core.blockers.model import BlockerKind as K

# Where the thing that blocks is named relative to the cue.
AFTER, BEFORE, SELF = "after", "before", "self"

_NOT = r"(?:\w+n['’]t|not)"
_CANT = r"(?:can(?:no|'|’)?t|can\s+not|unable\s+to|not\s+able\s+to|couldn(?:'|’)t|no\s+way(?:\s+for\s+\w+)?\s+to)"
_DONE = r"(?:merged|released|resolved|fixed|landed|approved|reviewed|published|available|done|ready|shipped|deployed)"


@dataclass(frozen=True)
class Cue:
    """One way of saying that something blocks work."""

    name: str
    needs: tuple[str, ...]
    pattern: re.Pattern
    weight: float
    side: str
    hint: K | None = None


def _cue(name, needs, pattern, weight, side, hint=None) -> Cue:
    return Cue(name, needs, re.compile(pattern, re.IGNORECASE), weight, side, hint)


CUES: tuple[Cue, ...] = (
    # Explicit blocking vocabulary.
    _cue("blocked-by", ("block", "held", "stall", "gated"),
         r"\b(?:blocked|held\s+up|held\s+back|gated|stalled)\s+(?:on|by|behind|because(?:\s+of)?|due\s+to|"
         r"until|waiting|pending)\b", 1.0, AFTER),
    _cue("blocked", ("block",), r"\bblocked\b", 0.7, SELF),
    _cue("is-blocking", ("block",),
         r"\b(?:is|are|'s|’s|keeps?|currently|still|therefore|now)\s+(?:\w+\s+)?blocking\b"
         r"|\bblocks?\s+(?:us|me|them|our|the|this|merging|release|progress)\b", 0.9, BEFORE),
    _cue("a-blocker", ("blocker", "roadblock", "showstopper"),
         r"\b(?:is|as|hence|it's|it’s|a\s+(?:real|major|big|hard))\s+(?:a\s+)?(?:blocker|roadblock|showstopper)\b",
         0.8, BEFORE),
    _cue("blocker-word", ("blocker", "roadblock", "showstopper"),
         r"\b(?:blockers?|roadblocks?|showstoppers?)\b", 0.35, SELF),
    # Waiting.
    _cue("waiting-on", ("wait",), r"\b(?:waiting|waits?|awaiting)\s+(?:on|for|until|till|in)\b", 0.9, AFTER),
    _cue("waiting-to-be", ("wait",), r"\bwaiting\s+(?:\w+\s+)?to\s+be\s+" + _DONE, 0.8, BEFORE, K.DEPENDENCY),
    _cue("awaiting", ("await",), r"\bawaiting\b", 0.8, AFTER),
    _cue("wait-bare", ("wait",), r"\bwait(?:ed|ing)?\b", 0.35, AFTER),
    _cue("pending-what", ("pending",),
         r"\bpending\s+(?:\w+\s+)?(?:review|approval|sign[- ]?off|merge|release|decision|confirmation|"
         r"response|feedback|answer)s?\b", 0.9, SELF, K.PERSON),
    _cue("pending-on", ("pending",), r"\b(?:still\s+pending|pending\s+(?:on|for))\b", 0.8, AFTER),
    _cue("on-hold", ("hold",), r"\bon\s+hold\b|\bhold(?:ing)?\s+off\s+(?:on|until)\b", 0.8, AFTER),
    _cue("stuck", ("stuck",), r"\bstuck\b", 0.45, AFTER),
    _cue("we-are-stuck", ("stuck",),
         r"\b(?:we|i|they|team)(?:'re|’re|'m|’m|\s+are|\s+am|\s+is|'ve\s+been|\s+have\s+been|\s+got)\s+stuck\b",
         0.8, AFTER),
    # Cannot proceed, prerequisites, ordering.
    _cue("cannot-until", ("until", "till"), _CANT + r"(?:[^.!?\n]|\.(?=\d)){0,60}?\b(?:until|till)\b", 1.0, AFTER),
    _cue("until-we-have", ("until", "till"),
         r"\b(?:until|till)\s+(?:we|i|they|you)\s+(?:have|get|receive|hear)\b", 0.7, AFTER),
    _cue("cannot-act", ("can", "unable", "not able", "no way", "couldn"),
         _CANT + r"\s+(?:\w+\s+)?(?:proceed|continue|move\s+forward|progress|deploy|merge|release|ship|publish|"
         r"test|log\s*in|login|access|upgrade|finish|complete|reproduce\s+without)\b", 0.7, SELF),
    _cue("needed-first", ("first",),
         r"\b(?:needs?|requires?|require|must|has\s+to|have\s+to)\b(?:[^.!?\n]|\.(?=\d)){0,40}?\b" + _DONE + r"\s+first\b"
         r"|\bmust\s+first\b|\bfirst\s+needs?\s+to\s+be\b", 0.9, SELF, K.DEPENDENCY),
    _cue("depends-on", ("depend",),
         r"\b(?:depends|depending|dependent)\s+on\b|\bhas\s+a\s+dependency\s+on\b", 0.7, AFTER, K.DEPENDENCY),
    _cue("once-done", ("once", "after"),
         r"\b(?:once|as\s+soon\s+as)\b(?:[^.!?\n]|\.(?=\d)){0,80}?\b(?:is|are|gets?|got|has\s+been|have\s+been)\s+" + _DONE,
         0.45, SELF, K.DEPENDENCY),
    _cue("before-we-can", ("before",), r"\bbefore\s+(?:we|i)\s+(?:can|do)\b", 0.4, SELF),
    _cue("preventing", ("prevent", "stopping", "keeping"),
         r"\b(?:preventing|prevents|stopping|keeping)\s+(?:me|us|them|other\s+\w+|our\s+\w+|the\s+team)\s+from\b",
         0.9, BEFORE),
    # People.
    _cue("someone-must-act", ("to approve", "to review", "to sign", "to confirm", "to respond", "to answer",
                              "to reply", "to merge"),
         r"\b(?:needs?|require[sd]?|waiting\s+for|until|wait\s+for)\s+(?:\w+\s+){0,3}?to\s+(?:approve|review|"
         r"sign\s+off|confirm|respond|answer|reply|merge)\b", 0.7, SELF, K.PERSON),
    _cue("input-before", ("before", "first"),
         r"\b(?:feedback|input|approval|sign[- ]?off|go[- ]ahead|answer|confirmation|decision)\s+(?:(?:on|from)\s+"
         r"(?:[^.!?\n]|\.(?=\d)){0,40}?)?(?:before|first)\b", 0.7, SELF, K.PERSON),
    _cue("no-response", ("respon", "reply", "hear", "heard", "word from"),
         r"\b(?:no|zero|without\s+(?:a|any)|lack\s+of)\s+(?:\w+\s+)?(?:response|reply|replies|answer)s?\b"
         r"|\b(?:\w+n['’]t|not|never)\s+(?:\w+\s+)?(?:hear|heard)\s+back\b|\bno\s+word\s+from\b", 0.7, SELF),
    _cue("anyone-pick-up", ("someone", "anyone", "any one", "one of the"),
         r"\bcould\s+(?:someone|anyone|one\s+of\s+the\s+\w+)\b|\bany\s?one\s+can\b", 0.35, SELF, K.PERSON),
    _cue("still-not", ("still",),
         r"\bstill\s+(?:no|not|awaiting|waiting|pending|stuck|blocked|does\s+not|doesn't|doesn’t|hasn't|"
         r"haven't|isn't|can't|cannot)\b", 0.4, SELF),
    # Resources.
    _cue("no-access", ("access", "permission", "credential", "rights", "licen", "seat"),
         r"\b(?:no|without|lack(?:ing)?|don't\s+have|do\s+not\s+have|doesn't\s+have|don’t\s+have|haven't\s+got|"
         r"need|needs|request(?:ing)?|like|waiting\s+for|missing)\s+(?:\w+\s+){0,2}?(?:access|permissions?|"
         r"credentials|rights|licen[cs]es?|seats?)\b", 0.8, SELF, K.RESOURCE),
    _cue("no-capacity", ("capacity", "bandwidth", "headcount", "staff", "people", "time", "budget", "funding",
                         "resources", "hands"),
         r"\b(?:out\s+of|no|not\s+enough|lack\s+of|lacking|limited|short\s+on|low\s+on|don't\s+have\s+the|"
         r"do\s+not\s+have\s+the|don’t\s+have\s+the|no\s+spare)\s+(?:\w+\s+)?(?:capacity|bandwidth|headcount|"
         r"people|staff|time|budget|funding|resources|hands)\b", 0.8, SELF, K.RESOURCE),
    _cue("stretched", ("staff", "handed", "overload", "stretched", "crunch", "burner", "capacity"),
         r"\b(?:understaffed|short[- ]staffed|short[- ]handed|overloaded|stretched\s+thin|crunch|back\s+burner|"
         r"over\s+capacity|at\s+capacity)\b", 0.7, SELF, K.RESOURCE),
    _cue("away-until", ("away", "out", "off", "leave", "vacation", "holiday"),
         r"\b(?:am|'m|’m|is|are|'re|’re|will\s+be)\s+(?:\w+\s+)?(?:away|out|off|on\s+(?:\w+\s+)?(?:leave|"
         r"vacation|holidays?|pto))\s+(?:until|till|for|through)\b|\bout\s+of\s+(?:the\s+)?office\b",
         0.7, SELF, K.RESOURCE),
    _cue("no-hardware", ("have", "own", "use"),
         r"\b(?:don't|do\s+not|doesn't|don’t)\s+(?:\w+\s+)?(?:have|own|use)\s+(?:a\s+|an\s+|any\s+)?(?:mac|macbook|"
         r"windows|linux|iphone|ipad|android|device|gpu|hardware|test\s+machine|machine|server)s?\b",
         0.6, SELF, K.RESOURCE),
    _cue("quota", ("quota", "limit", "minutes", "credits", "space", "ran out", "run out"),
         r"\b(?:hit|hitting|reached|exceeded|ran\s+out\s+of|run\s+out\s+of|running\s+out\s+of|out\s+of)\s+"
         r"(?:\w+\s+){0,2}?(?:quota|limit|minutes|credits|disk\s+space|storage)\b", 0.8, SELF, K.RESOURCE),
    # Technical.
    _cue("rate-limit", ("rate", "throttl"),
         r"\b(?:(?:pull|api|request|download)\s+)?rate[- ]limit(?:s|ed|ing)?\b|\bthrottl(?:ed|ing)\b",
         0.6, SELF, K.TECHNICAL),
    _cue("ci-broken", ("broken", "fail", "red", "down", "flaky", "crash", "timing out"),
         r"\b(?:ci|build|builds|pipelines?|tests?|jobs?|workflows?|deploy(?:ment)?s?|staging|main|master|"
         r"runners?|environment|tooling|checks?)\s+(?:\w+\s+){0,2}?(?:broken|failing|red|down|crashing|"
         r"timing\s+out)\b", 0.8, SELF, K.TECHNICAL),
    _cue("failure-due-to", ("fail", "broken", "break"),
         r"\b(?:fail(?:s|ing|ed|ure|ures)?|broken|breaks)\s+(?:\w+\s+){0,3}?(?:due\s+to|because(?:\s+of)?)\b",
         0.7, AFTER, K.TECHNICAL),
    _cue("build-failure", ("failure",), r"\b(?:build|ci|test|deploy(?:ment)?|pipeline)\s+failures?\b", 0.6, SELF,
         K.TECHNICAL),
    _cue("flaky", ("flaky", "flakey"), r"\bflak(?:y|ey)\s+(?:\w+\s+)?(?:tests?|ci|builds?|jobs?|infra\w*)\b",
         0.45, SELF, K.TECHNICAL),
    _cue("none-running", ("none of",),
         r"\bnone\s+of\s+(?:our|the)\s+(?:builds|jobs|prs|tests|pipelines|deploys|workflows)\b", 0.6, SELF,
         K.TECHNICAL),
    _cue("tech-debt", ("debt", "legacy"), r"\btech(?:nical)?\s+debt\b|\blegacy\s+(?:code|system)\b", 0.7, SELF,
         K.TECHNICAL),
    _cue("slowing-us", ("difficult", "hard", "impossible", "slow"),
         r"\bmak(?:es|ing)\s+it\s+(?:\w+\s+)?(?:difficult|hard|impossible)\b|\bslow(?:s|ing)\s+(?:us|me|the\s+team)"
         r"\s+down\b", 0.4, SELF),
    # External parties.
    _cue("store-review", ("store", "review", "marketplace", "app center"),
         r"\b(?:app|play|web|add-?ons?|extension|microsoft|mac\s+app)\s+store\b|\bmarketplace\s+review\b|"
         r"\bapp\s+(?:review|center)\b|\breview\s+queue\b|\bin\s+review\b", 0.5, SELF, K.EXTERNAL),
    _cue("backed-up", ("backed", "backlogged"), r"\bbacked[- ]up\b|\bbacklogged\b", 0.4, SELF),
    _cue("rejected", ("rejected",), r"\b(?:got|was|been|is|were)\s+rejected\b", 0.4, SELF, K.EXTERNAL),
    _cue("upstream", ("upstream",),
         r"\bupstream\s+(?:bug|issue|fix|patch|change|release|regression|pr|project)s?\b", 0.6, SELF, K.EXTERNAL),
    _cue("unsupported-yet", ("support",),
         r"\b" + _NOT + r"\s+(?:\w+\s+)?support\b(?:[^.!?\n]|\.(?=\d)){0,40}?\byet\b|\bnot\s+(?:yet\s+)?supported\s+yet\b",
         0.7, SELF, K.EXTERNAL),
)
