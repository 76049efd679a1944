"""Blockers mined from linked items' comments and check-in notes, grouped and classified."""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Iterator

from okr_core.analysis.context import AnalysisContext
from okr_core.blockers import BlockerFinding, BlockerKind, detect, group_recurring
from okr_core.blockers.grouping_learned import SURE_CALL

GROUP_LIMIT = 10
SOURCE_ID_LIMIT = 20
AMBIGUOUS_LIMIT = 50
TEXT_CHARS = 300
KINDS = [kind.value for kind in BlockerKind] + ["unclassified"]
# detect() is pure: a text mined once needs no second look when the cycle is analysed again.
detect_once = lru_cache(maxsize=100_000)(detect)


def blocker_sources(ctx: AnalysisContext) -> Iterator[tuple[str, str, tuple[int, ...]]]:
    """(source id, text, KR ids) for every comment on a linked item and every check-in text."""
    krs_by_item = {(i.connection_id, i.external_id): i.kr_ids for i in ctx.facts.items}
    for comment in ctx.facts.comments:
        kr_ids = krs_by_item.get((comment.connection_id, comment.item_external_id))
        if kr_ids:  # only comments on work that counts toward a key result
            yield f"comment:{comment.id}", comment.body, kr_ids
    for check_in in ctx.facts.check_ins:
        if check_in.blockers.strip():
            yield f"check-in:{check_in.id}:blockers", check_in.blockers, (check_in.kr_id,)
        if check_in.note.strip():
            yield f"check-in:{check_in.id}:note", check_in.note, (check_in.kr_id,)


def mine(ctx: AnalysisContext) -> tuple[list, list, dict[str, tuple]]:
    """(blocker findings with texts, ambiguous findings with texts, KR ids per source id)."""
    findings, ambiguous, kr_ids_by_source = [], [], {}
    mined = ctx.facts.mined
    for source_id, text, kr_ids in blocker_sources(ctx):
        stored = mined.get(source_id)   # same keys as mining_store.fact_texts
        finding = stored.finding if stored is not None else detect_once(text)
        if finding is None or not (finding.is_blocker or finding.ambiguous):
            continue
        if finding.source_id != source_id:   # stored results carry theirs already
            finding = BlockerFinding(finding.is_blocker, finding.kind, finding.phrase, finding.confidence,
                                     finding.ambiguous, source_id)   # dataclasses.replace is slow by the thousand
        kr_ids_by_source[source_id] = kr_ids
        if finding.is_blocker:
            findings.append((finding, text))
        if finding.ambiguous:   # a call the miner was unsure of, counted or not
            ambiguous.append((finding, text))
    return findings, ambiguous, kr_ids_by_source


def _kr_ids(source_ids, kr_ids_by_source: dict[str, tuple]) -> list[int]:
    return sorted({kr for source in source_ids for kr in kr_ids_by_source.get(source, ())})


def _by_kind(findings, kr_ids_by_source) -> dict:
    """Mentions and affected KRs per kind: resource constraints, external dependencies, ..."""
    sources: dict[str, list[str]] = defaultdict(list)
    for finding, _ in findings:
        sources[finding.kind.value if finding.kind else "unclassified"].append(finding.source_id)
    return {kind: {"mentions": len(sources[kind]),
                   "kr_ids": _kr_ids(sources[kind], kr_ids_by_source)} for kind in KINDS}


def _ambiguous(ambiguous, kr_ids_by_source) -> list[dict]:
    """The miner's unsure calls, with their text, for review (by an LLM when configured)."""
    return [{"source_id": f.source_id, "phrase": f.phrase, "confidence": round(f.confidence, 2),
             "kind": f.kind.value if f.kind else None, "counted": f.is_blocker,
             "kr_ids": list(kr_ids_by_source.get(f.source_id, ())), "text": text[:TEXT_CHARS]}
            for f, text in ambiguous][:AMBIGUOUS_LIMIT]


def blockers_section(ctx: AnalysisContext) -> dict:
    """The "Blockers & Challenges" section."""
    findings, ambiguous, kr_ids_by_source = mine(ctx)
    groups = group_recurring(findings, min_confidence=SURE_CALL)[:GROUP_LIMIT]
    recurring = [{"phrase": g.phrase, "kind": g.kind.value if g.kind else None,
                  "count": g.count, "source_ids": g.source_ids[:SOURCE_ID_LIMIT],
                  "kr_ids": _kr_ids(g.source_ids, kr_ids_by_source),
                  "samples": g.sample_texts} for g in groups]
    return {"mentions": len(findings), "ambiguous_count": len(ambiguous),
            "by_kind": _by_kind(findings, kr_ids_by_source), "recurring": recurring,
            "ambiguous": _ambiguous(ambiguous, kr_ids_by_source)}
