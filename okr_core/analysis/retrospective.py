"""Retrospective at cycle close: achievements, misses, recurring blockers, lessons."""
from __future__ import annotations

from okr_core.analysis.context import AnalysisContext
from okr_core.rules import score_label

CLOSED_STATUSES = ("closed", "archived")
NOT_AMBITIOUS_SHARE = 0.5   # guide: "Consistently scoring 1.0 means your OKRs aren't ambitious"
LIMIT = 10


def _scored(rows) -> list[dict]:
    return [{"id": row.id, "score": row.final_score, "label": score_label(row.final_score).value}
            for row in sorted(rows, key=lambda r: (-r.final_score, r.id))]


def lessons(ctx: AnalysisContext, kr_section: dict, blockers: dict) -> list[dict]:
    """Lessons for the next cycle, each with the figures and subjects behind it."""
    scores = [kr.final_score for kr in ctx.facts.key_results if kr.final_score is not None]
    found = []
    perfect = [kr.id for kr in ctx.facts.key_results if kr.final_score == 1.0]
    if scores and len(perfect) / len(scores) >= NOT_AMBITIOUS_SHARE:
        found.append({"code": "targets_not_ambitious", "key_result_ids": perfect,
                      "share": round(len(perfect) / len(scores), 2)})
    average = round(sum(scores) / len(scores), 2) if scores else None
    if average is not None and average < 0.4:
        found.append({"code": "targets_too_ambitious", "average_score": average})
    elif average is not None and 0.7 <= average <= 0.8:
        found.append({"code": "ambition_in_sweet_spot", "average_score": average})
    if kr_section["stalled"]:
        found.append({"code": "keep_key_results_updated",
                      "key_result_ids": [row["kr_id"] for row in kr_section["stalled"]]})
    for group in blockers["recurring"][:2]:
        found.append({"code": "plan_for_recurring_blocker", "phrase": group["phrase"],
                      "blocker_kind": group["kind"], "mentions": group["count"],
                      "key_result_ids": group["kr_ids"]})
    return found


def retrospective_section(ctx: AnalysisContext, kr_section: dict, blockers: dict) -> dict | None:
    """The end-of-cycle summary; None while the cycle is still open."""
    if ctx.facts.cycle.status not in CLOSED_STATUSES:
        return None
    objectives = [o for o in ctx.facts.objectives if o.final_score is not None]
    krs = [kr for kr in ctx.facts.key_results if kr.final_score is not None]
    average = round(sum(o.final_score for o in objectives) / len(objectives), 2) \
        if objectives else None
    return {"average_objective_score": average,
            "achievements": {"objectives": _scored(o for o in objectives if o.final_score >= 0.7),
                             "key_results": _scored(k for k in krs if k.final_score >= 0.7)[:LIMIT]},
            "misses": {"objectives": _scored(o for o in objectives if o.final_score < 0.7),
                       "key_results": _scored(k for k in krs if k.final_score < 0.4)[:LIMIT]},
            "recurring_blockers": [{k: g[k] for k in ("phrase", "kind", "count", "kr_ids")}
                                   for g in blockers["recurring"][:5]],
            "lessons": lessons(ctx, kr_section, blockers)}
