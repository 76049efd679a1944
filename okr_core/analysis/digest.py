"""The summarised facts an LLM may phrase: bounded lists, percentages, references, no raw dumps."""
from __future__ import annotations

import json

TOKEN_BUDGET = 3000          # the whole prompt, system message included, however large the cycle
FIRST_LIMIT = 10             # list lengths start here and halve until the prompt fits
TITLE_CHARS = 90
QUOTE_CHARS = 200
QUOTES_PER_BLOCKER = 2


def estimate_tokens(text: str) -> int:
    """Rough token count: four characters a token, the usual figure for English prose."""
    return (len(text) + 3) // 4


def pct(value: float | None) -> int | None:
    """A 0-1 share as a whole percentage."""
    return None if value is None else round(100 * value)


def _short(text: str, limit: int = TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _health(sections: dict) -> dict:
    health, velocity = sections["health"], sections["health"]["velocity"]
    trend = health["trend"] or {}
    achievability = sections["key_results"]["achievability"]
    return {"score": health["score"], "key_results": health["key_results"]["counts"],
            "objectives": health["objectives"]["counts"],
            "key_results_total": sum(health["key_results"]["counts"].values()),
            "objectives_total": sum(health["objectives"]["counts"].values()),
            "score_a_week_ago": trend.get("previous_score"), "score_change": trend.get("delta"),
            "expected_progress_pct": pct(health["expected_progress"]),
            "mean_progress_pct": pct(velocity["mean_progress"]),
            "progress_pct_per_week": pct(velocity["progress_per_week"]),
            "needed_pct_per_week": pct(velocity["needed_per_week"]),
            "weeks_remaining": velocity["weeks_remaining"],
            "projected_score": achievability["projected_score"],
            "sweet_spot": achievability["sweet_spot"], "verdict": achievability["verdict"],
            "earlier_cycles_average_score": health["comparison"]["average_score"]}


def _krs(sections: dict, titles: dict, limit: int) -> dict:
    kr = sections["key_results"]
    return {
        "at_risk": [{"ref": f"kr:{r['kr_id']}", "title": _short(titles.get(r["kr_id"], "")),
                     "status": r["status"], "progress_pct": pct(r["progress"]),
                     "behind_pct": pct(r["gap"]), "confidence": r["confidence"]}
                    for r in kr["at_risk"][:limit]],
        "at_risk_total": len(kr["at_risk"]),
        "high_performers": [{"ref": f"kr:{r['kr_id']}", "title": _short(titles.get(r["kr_id"], "")),
                             "progress_pct": pct(r["progress"])}
                            for r in kr["high_performers"][:limit]],
        "stalled": [{"ref": f"kr:{r['kr_id']}", "title": _short(titles.get(r["kr_id"], "")),
                     "days_idle": r["days_idle"]} for r in kr["stalled"][:limit]],
        "stalled_total": len(kr["stalled"]), "stall_after_days": 14}


def _focus(sections: dict) -> dict:
    alignment = sections["alignment"]
    return {"aligned_pct": pct(alignment["alignment"]["aligned_share"]),
            "orphan_objectives": len(alignment["alignment"]["orphan_ids"]),
            "cross_team_dependencies": sum(e["count"] for e in alignment["dependencies"]["cross_team"]),
            "bottleneck_items": len(alignment["dependencies"]["bottleneck_items"]),
            "competing_items": alignment["competing_items"]["count"],
            "scattered_teams": len(alignment["concentration"]["scattered_team_ids"]),
            "objective_limit": alignment["concentration"]["limit"]}


def _forecast(sections: dict, limit: int) -> dict:
    rows = [r for r in sections["forecast"]["key_results"] if not r["insufficient_data"]]
    lowest = sorted(rows, key=lambda r: (r["chance"], r["kr_id"]))[:limit]
    return {"likely": sum(1 for r in rows if r["chance"] >= 0.7),
            "unlikely": sum(1 for r in rows if r["chance"] < 0.3),
            "insufficient_data": len(sections["forecast"]["key_results"]) - len(rows),
            "lowest": [{"ref": f"kr:{r['kr_id']}", "chance_pct": pct(r["chance"]),
                        "sample_weeks": r["sample_weeks"]} for r in lowest],
            # Reported status the pace contradicts, in the KR's own units.
            "status_vs_pace": [{"ref": f"kr:{r['kr_id']}", "reported": r["reported"],
                                "pace": r["pace"], "text": r["message"],
                                "chance_pct": pct(r["chance"])}
                               for r in sections["forecast"].get("disagreements", [])[:limit]]}


def _recommendations(sections: dict, limit: int) -> list[dict]:
    rows = [row for group in sections["recommendations"].values() for row in group]
    return [{"ref": f"rec:{n}", "kind": row["kind"], "action": row["action"],
             "subjects": [f"kr:{i}" for i in row["key_result_ids"][:5]]
             + [f"objective:{i}" for i in row["objective_ids"][:3]]
             + [f"team:{i}" for i in row["team_ids"][:2]]}
            for n, row in enumerate(rows[:limit], start=1)]


def _blockers(sections: dict, limit: int) -> tuple[dict, list[dict]]:
    """Blocker counts as facts; their wording, which comes from comments, as quoted data."""
    blockers = sections["blockers"]
    facts = {"mentions": blockers["mentions"],
             "by_kind": {k: v["mentions"] for k, v in blockers["by_kind"].items()},
             "recurring": [{"ref": f"blocker:{n}", "kind": g["kind"], "mentions": g["count"],
                            "key_results": [f"kr:{i}" for i in g["kr_ids"][:5]]}
                           for n, g in enumerate(blockers["recurring"][:limit], start=1)]}
    quotes = []
    for n, group in enumerate(blockers["recurring"][:limit], start=1):
        quotes.append({"blocker": f"blocker:{n}", "phrase": _short(group["phrase"], QUOTE_CHARS)})
        samples = list(dict.fromkeys(group["samples"]))[:QUOTES_PER_BLOCKER]
        quotes += [{"blocker": f"blocker:{n}", "text": _short(text, QUOTE_CHARS)}
                   for text in samples]
    return facts, quotes


def build_digest(sections: dict, titles: dict[int, str], limit: int) -> tuple[dict, list[dict]]:
    """(facts, quoted untrusted texts) for the prompt, lists cut to `limit` entries."""
    blockers, quotes = _blockers(sections, limit)
    cycle = sections["cycle"]
    facts = {"cycle": {"name": cycle["name"], "status": cycle["status"], "scope": sections["scope"]},
             "health": _health(sections), "key_results": _krs(sections, titles, limit),
             "focus": _focus(sections), "blockers": blockers,
             "forecast": _forecast(sections, limit),
             "recommendations": _recommendations(sections, limit)}
    retro = sections.get("retrospective")
    if retro:
        facts["retrospective"] = {
            "average_objective_score": retro["average_objective_score"],
            "objectives_achieved": len(retro["achievements"]["objectives"]),
            "objectives_missed": len(retro["misses"]["objectives"]),
            "lessons": [lesson["code"] for lesson in retro["lessons"]]}
    return facts, quotes


def dumps(value) -> str:
    """Compact, key-sorted JSON: the same facts always give the same text (and hash)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
