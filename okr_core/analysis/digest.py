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
            "weeks_left": None if velocity["weeks_remaining"] is None else round(velocity["weeks_remaining"]),
            "projected_score": achievability["projected_score"],
            "sweet_spot": achievability["sweet_spot"], "verdict": achievability["verdict"],
            "earlier_cycles_average_score": health["comparison"]["average_score"]}


def who(sections: dict, kr_id: int) -> dict:
    """Owner, team and objective title of a KR, from the sections' directory (empty when unknown)."""
    entry = sections.get("directory", {}).get("key_results", {}).get(str(kr_id), {})
    objective = sections.get("directory", {}).get("objectives", {}).get(str(entry.get("objective_id")), {})
    return {"owner": entry.get("owner"), "team": entry.get("team"),
            "objective": _short(objective["title"]) if objective.get("title") else None}


def _kr_row(sections: dict, titles: dict, row: dict, **figures) -> dict:
    return {"ref": f"kr:{row['kr_id']}", "title": _short(titles.get(row["kr_id"], "")),
            **who(sections, row["kr_id"]), **figures}


def _krs(sections: dict, titles: dict, limit: int) -> dict:
    kr = sections["key_results"]
    return {
        "at_risk": [_kr_row(sections, titles, r, status=r["status"], progress_pct=pct(r["progress"]),
                            behind_pct=pct(r["gap"]), confidence=r["confidence"])
                    for r in kr["at_risk"][:limit]],
        "at_risk_total": len(kr["at_risk"]),
        "high_performers": [_kr_row(sections, titles, r, progress_pct=pct(r["progress"]))
                            for r in kr["high_performers"][:limit]],
        "stalled": [_kr_row(sections, titles, r, days_idle=r["days_idle"], confidence=r.get("confidence"))
                    for r in kr["stalled"][:limit]],
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


def _forecast_row(sections: dict, titles: dict, row: dict) -> dict:
    interval, end = row.get("interval"), row.get("end_value")
    return _kr_row(sections, titles, row, chance_pct=pct(row["chance"]), sample_weeks=row["sample_weeks"],
                   low_pct=pct(interval[0]) if interval else None, high_pct=pct(interval[1]) if interval else None,
                   end_p50_pct=pct(end["p50"]) if end else None, reported_status=row.get("reported_status"))


def _forecast(sections: dict, titles: dict, limit: int) -> dict:
    rows = [r for r in sections["forecast"]["key_results"] if not r["insufficient_data"]]
    lowest = sorted(rows, key=lambda r: (r["chance"], r["kr_id"]))[:limit]
    disagreeing = [r for r in rows if r.get("status_disagrees")]
    return {"likely": sum(1 for r in rows if r["chance"] >= 0.7),
            "unlikely": sum(1 for r in rows if r["chance"] < 0.3),
            "insufficient_data": len(sections["forecast"]["key_results"]) - len(rows),
            "lowest": [_forecast_row(sections, titles, r) for r in lowest],
            "status_disagreements_total": len(disagreeing),
            "status_disagreements": [_forecast_row(sections, titles, r) for r in disagreeing[:limit]],
            # Reported status the pace contradicts, in the KR's own units.
            "status_vs_pace": [{"ref": f"kr:{r['kr_id']}", "title": _short(titles.get(r["kr_id"], "")),
                                **who(sections, r["kr_id"]), "reported": r["reported"],
                                "pace": r["pace"], "text": r["message"],
                                "chance_pct": pct(r["chance"])}
                               for r in sections["forecast"].get("disagreements", [])[:limit]]}


_REC_FIGURES = ("krs_behind", "days_idle", "confidence", "projected_score", "items", "mentions")


def _rec_row(sections: dict, titles: dict, n: int, row: dict) -> dict:
    """One recommendation: its subjects by name, the figures behind it, the blockers it answers."""
    teams = sections["subjects"]["team_names"]
    phrases = set(row.get("blocker_phrases", [])) | ({row["phrase"]} if row.get("phrase") else set())
    recurring = sections["blockers"]["recurring"]
    found = {"ref": f"rec:{n}", "kind": row["kind"], "action": row["action"],
             "subjects": [f"kr:{i}" for i in row["key_result_ids"][:5]]
             + [f"objective:{i}" for i in row["objective_ids"][:3]]
             + [f"team:{i}" for i in row["team_ids"][:2]],
             "key_results": [_kr_row(sections, titles, {"kr_id": i}) for i in row["key_result_ids"][:3]],
             "key_results_total": len(row["key_result_ids"]),
             "objectives": [_short(o["title"]) for i in row["objective_ids"][:3]
                            if (o := sections.get("directory", {}).get("objectives", {}).get(str(i)))],
             "teams": [teams[str(i)] for i in row["team_ids"][:3] if str(i) in teams],
             "blockers": [f"blocker:{k}" for k, g in enumerate(recurring, start=1) if g["phrase"] in phrases],
             **{key: row[key] for key in _REC_FIGURES if row.get(key) is not None}}
    for key in ("from_team_id", "to_team_id"):
        if row.get(key) is not None:
            found[key.removesuffix("_team_id")] = teams.get(str(row[key]))
    if row.get("gap") is not None:
        found["behind_pct"] = pct(row["gap"])
    if row.get("progress") is not None:
        found["progress_pct"] = pct(row["progress"])
    return found


def _round_robin(groups: list[list[dict]]) -> list[dict]:
    """The first of each kind, then the second of each, ...: a short list still covers every kind."""
    rows = []
    for rank in range(max((len(group) for group in groups), default=0)):
        rows += [group[rank] for group in groups if rank < len(group)]
    return rows


def _recommendations(sections: dict, titles: dict, limit: int) -> list[dict]:
    rows = _round_robin(list(sections["recommendations"].values()))
    return [_rec_row(sections, titles, n, row) for n, row in enumerate(rows[:limit], start=1)]


def _blockers(sections: dict, limit: int) -> tuple[dict, list[dict]]:
    """Blocker counts as facts; their wording, which comes from comments, as quoted data."""
    blockers = sections["blockers"]
    directory = sections.get("directory", {}).get("key_results", {})
    facts = {"mentions": blockers["mentions"],
             "by_kind": {k: v["mentions"] for k, v in blockers["by_kind"].items()},
             "recurring": [{"ref": f"blocker:{n}", "kind": g["kind"], "mentions": g["count"],
                            "key_results": [f"kr:{i}" for i in g["kr_ids"][:5]],
                            "key_results_total": len(g["kr_ids"]),
                            "teams": sorted({t for i in g["kr_ids"] if (t := directory.get(str(i), {}).get("team"))})[:4]}
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
             "forecast": _forecast(sections, titles, limit),
             "recommendations": _recommendations(sections, titles, limit)}
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
