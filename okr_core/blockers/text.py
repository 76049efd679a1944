"""Text helpers for the miner: masking other senses of "block", URL shortening, clause splitting."""
from __future__ import annotations

import re

# Senses of block/wait that are about code, storage, browsers or moderation, not about work. They run on
# folded text, only in a window around each "block" / "wait" (most texts have none or one).
_BLOCK_SENSES = re.compile(
    r"\b(?:ad|pop-?up|content|tracking|script|u|ad-)\s?blockers?\b|\badblock\w*|\bublock\w*"
    r"|\bblocklists?\b|\bblock\s?chains?\b|\bblock-level\b"
    r"|\b(?:code|try|catch|finally|except|if|else|html|div|css|inline|markdown|yaml|json|text|"
    r"storage|disk|memory|bullet|cell|building|city|mental|lego|quote|comment|config)\s+blocks?\b"
    r"|\bblocks?\s+(?:of\s+code|api|storage|devices?|size|sizes|chain|quote|element|level|"
    r"comment|editor|height|cipher|number|header|diagram|scope|statement|list|volume)s?\b"
    r"|\bnon-?blocking\b"
    r"|\bblocking\s+(?:i/?o|io|calls?|mode|sockets?|queues?|operations?|reads?|writes?|api|"
    r"functions?|code|send|receive|lock|sleep|requests?)\b"
    r"|\bblock(?:s|ed|ing)?\s+(?:the\s+)?(?:main\s+|ui\s+|event\s+|calling\s+)?(?:thread|event\s+loop|loop)\b"
    r"|\bblocks?\s+(?:until|forever|indefinitely)\b"
    r"|\bblocked\s+(?:users?|accounts?|ips?|senders?|domains?|contacts?|numbers?|words?)\b"
    r"|\bblock(?:ed|ing)?\s+(?:this\s+|that\s+|the\s+|a\s+)?(?:users?|accounts?|ips?|senders?|spam|"
    r"spammers?|bots?|domains?|contacts?|trolls?|ads|cookies|popups?)\b"
)
_WAIT_SENSES = re.compile(
    r"\bcan(?:'|no)t\s+wait\b|\bwait\s+(?:a\s+)?(?:sec|second|minute|moment|what)\b"
    r"|\bawait\s+[\w.]+\s*\(|\basync/await\b"
)
_SENSES = (("block", _BLOCK_SENSES), ("wait", _WAIT_SENSES))
_SENSE_REACH = 40

_GITHUB_REF = re.compile(
    r"https?://github\.com/([\w.-]+)/([\w.-]+)/(?:issues|pull|discussions)/(\d+)[^\s)\]>]*",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://([\w.-]+)[^\s)\]>]*", re.IGNORECASE)
_MARKUP = re.compile(r"[`*_~]+|\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b\d\.)\s+|\n+|(?<=[.!?])(?<!\b\d\.)(?=[A-Z@#])")
_CLAUSE_BREAK_WORDS = r",|;|:|\s[-–—]\s|\s(?:but|however|although|though|whereas|yet|so|and)\s"
_CLAUSE_BREAK = re.compile(_CLAUSE_BREAK_WORDS, re.IGNORECASE)
_FOLDED_CLAUSE_BREAK = re.compile(_CLAUSE_BREAK_WORDS)   # for folded (lower-case) text: no case folding


def fold(text: str) -> str:
    """Lower-case with plain apostrophes, keeping every character at its offset."""
    folded = text.lower()
    if len(folded) != len(text):    # a few characters ("İ") lower-case to two
        folded = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return folded.replace("’", "'")


def other_sense_spans(folded: str) -> list[tuple[int, int]]:
    """Where folded text uses block/wait in a non-work sense ("ad blocker", "can't wait")."""
    spans = []
    for anchor, pattern in _SENSES:
        at = folded.find(anchor)
        while at != -1:
            for match in pattern.finditer(folded, max(0, at - _SENSE_REACH), at + _SENSE_REACH):
                if match.start() <= at < match.end():
                    spans.append(match.span())
            at = folded.find(anchor, at + len(anchor))
    return spans


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """Overwrite the spans with "~", so no cue can fire there and offsets stay put."""
    for start, end in spans:
        text = text[:start] + "~" * (end - start) + text[end:]
    return text


def shorten_urls(text: str) -> str:
    """Replace GitHub issue/PR links by owner/repo#n and other links by their host."""
    text = _GITHUB_REF.sub(lambda m: f"{m.group(1)}/{m.group(2)}#{m.group(3)}", text)
    return _URL.sub(lambda m: m.group(1), text)


def strip_markup(text: str) -> str:
    """Drop Markdown emphasis and keep link labels."""
    return _MARKUP.sub(lambda m: m.group(1) or "", text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, so cues can be scoped to the sentence they sit in."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def clauses(text: str) -> list[str]:
    """The clauses of a sentence, split at commas, semicolons, dashes and conjunctions."""
    return _CLAUSE_BREAK.split(text) if text else []


def clause_prefix(folded_before_cue: str) -> str:
    """The part of the current clause that precedes a cue, in folded text."""
    return _FOLDED_CLAUSE_BREAK.split(folded_before_cue)[-1]
