"""The narrative without an LLM: the same facts, phrased by fixed sentences."""
from __future__ import annotations

ACTION_TEXT = {
    "shift_capacity": "Consider shifting capacity toward the key results that are behind",
    "escalate_blockers": "Escalate the blockers holding this key result back",
    "review_scope_or_resources": "Review scope or add resources for this key result",
    "finish_and_celebrate": "Finish this near-complete key result and celebrate the win",
    "retire_or_rewrite": "Retire or rewrite this stalled, low-confidence key result",
    "raise_ambition": "Set more ambitious targets next cycle",
    "set_fewer_or_reachable_targets": "Set fewer or more reachable targets next cycle",
    "reduce_objectives": "Reduce the number of objectives per team or owner",
    "align_to_parent_objectives": "Align these objectives to a parent objective",
    "resolve_priority_conflicts": "Resolve work counted toward competing key results",
    "plan_around_recurring_blocker": "Plan next cycle around this recurring blocker",
}


def _band(score: int | None) -> str:
    if score is None:
        return "no key results to assess"
    return "good progress" if score >= 70 else "needs attention" if score >= 50 else "at risk"


def _summary(health: dict) -> str:
    objectives, krs = health["objectives"], health["key_results"]
    text = f"{krs['on_track']} of {health['key_results_total']} key results are on track."
    if health["objectives_total"]:
        text = f"{objectives['on_track']} of {health['objectives_total']} objectives and " + text
    if health["progress_pct_per_week"] is not None and health["needed_pct_per_week"] is not None:
        text += (f" Progress runs at {health['progress_pct_per_week']}% a week against "
                 f"{health['needed_pct_per_week']}% needed to finish.")
    if health["score_change"] is not None:
        text += f" Health moved from {health['score_a_week_ago']} a week ago."
    return text


def _concerns(facts: dict) -> list[dict]:
    krs, blockers = facts["key_results"], facts["blockers"]
    concerns = [{"text": f'"{row["title"]}" is {row["status"].replace("_", " ")} at '
                         f'{row["progress_pct"]}%', "refs": [row["ref"]]}
                for row in krs["at_risk"][:3]]
    titles = {row["ref"]: row["title"] for group in ("at_risk", "high_performers")
              for row in krs.get(group, [])}
    for row in facts["forecast"].get("status_vs_pace", [])[:2]:
        name = f'"{titles[row["ref"]]}" is ' if row["ref"] in titles else "One key result is "
        concerns.append({"text": name + row["text"], "refs": [row["ref"]]})
    if krs["stalled_total"]:
        concerns.append({"text": f"{krs['stalled_total']} key results have not moved or been "
                                 f"checked in for {krs['stall_after_days']} days",
                         "refs": [row["ref"] for row in krs["stalled"]]})
    for row in blockers["recurring"][:2]:
        concerns.append({"text": f"A recurring {row['kind'] or 'unclassified'} blocker was "
                                 f"mentioned {row['mentions']} times",
                         "refs": [row["ref"], *row["key_results"]]})
    return concerns[:8]


def template_narrative(facts: dict) -> dict:
    """A narrative that passes the same checks as the model's, built from the facts alone."""
    health = facts["health"]
    highlights = [{"text": f'"{row["title"]}" is at {row["progress_pct"]}%', "refs": [row["ref"]]}
                  for row in facts["key_results"]["high_performers"][:3]]
    if facts["focus"]["aligned_pct"] is not None:
        highlights.append({"text": f"{facts['focus']['aligned_pct']}% of objectives are aligned "
                                   "to a parent objective", "refs": []})
    recommendations = [{"text": ACTION_TEXT.get(row["action"], row["action"]),
                        "refs": [row["ref"], *row["subjects"]]}
                       for row in facts["recommendations"]]
    headline = f"Overall health: {health['score']} ({_band(health['score'])})" \
        if health["score"] is not None else "No key results to assess yet"
    return {"headline": headline, "summary": _summary(health), "highlights": highlights[:8],
            "concerns": _concerns(facts), "recommendations": recommendations[:10]}
