"""The narrative without an LLM: the same facts, phrased as specifically as the guide's example.

Every sentence names its subjects (key results, objectives, owners, teams, recurring blockers) and
the figures behind it; no sentence is repeated. Blocker phrases come from comments: they are only
quoted, and words carrying numbers the facts do not hold are left out, so the checks of a model's
answer (narrative_check) pass on this narrative too.
"""
from __future__ import annotations

from okr_core.analysis.narrative_actions import recommendation_entries
from okr_core.analysis.narrative_check import allowed_numbers
from okr_core.analysis.narrative_words import band, blocker_phrases, by_whom, unique_entries
from okr_core.wording import agrees, counted


def _headline(health: dict) -> str:
    if health["score"] is None:
        return "No key results to assess yet"
    text = f"Cycle health {health['score']} ({band(health['score'])})"
    if health["key_results_total"]:
        total = counted(health["key_results_total"], "key result")
        text += f": {health['key_results']['on_track']} of {total} on track"
    if health.get("weeks_left") is not None:
        text += f", {counted(health['weeks_left'], 'week')} remaining"
    return text


def _summary(health: dict) -> str:
    objectives, krs = health["objectives"], health["key_results"]
    text = (f"{krs['on_track']} of {counted(health['key_results_total'], 'key result')} "
            f"{agrees(krs['on_track'], 'is', 'are')} on track")
    text += f", {krs.get('at_risk', 0)} at risk and {krs.get('off_track', 0)} off track."
    if health["objectives_total"]:
        text += (f" {objectives['on_track']} of {counted(health['objectives_total'], 'objective')} "
                 f"{agrees(objectives['on_track'], 'is', 'are')} on track.")
    if health["progress_pct_per_week"] is not None and health["needed_pct_per_week"] is not None:
        text += (f" Progress runs at {health['progress_pct_per_week']}% a week against "
                 f"{health['needed_pct_per_week']}% needed to finish.")
    if health["score_change"] is not None:
        text += f" Health moved from {health['score_a_week_ago']} a week ago."
    return text


def _highlights(facts: dict) -> list[dict]:
    found = [{"text": f'"{row["title"]}"{by_whom(row)} is at {row["progress_pct"]}%: celebrate the win',
              "refs": [row["ref"]]} for row in facts["key_results"]["high_performers"][:3]]
    if facts["focus"]["aligned_pct"] is not None:
        found.append({"text": f"{facts['focus']['aligned_pct']}% of objectives are aligned to a parent "
                              "objective", "refs": []})
    return found


def _at_risk(row: dict, weeks_left) -> str:
    under = f' under "{row["objective"]}"' if row.get("objective") else ""
    remaining = f" with {counted(weeks_left, 'week')} remaining" if weeks_left is not None else ""
    return (f'"{row["title"]}"{under}{by_whom(row)} is at {row["progress_pct"]}%{remaining}, '
            f'{row["behind_pct"]}% behind plan: needs intervention')


def _disagreement(row: dict, pace: dict | None) -> str:
    """A reported status its forecast contradicts; with the pace's own words when it contradicts it too,
    so one key result makes one sentence."""
    chance = (f'{row["chance_pct"]}% chance of reaching target ({row["low_pct"]}-{row["high_pct"]}%, '
              f'{counted(row["sample_weeks"], "week")} observed')
    if pace is not None:
        return f'"{row["title"]}"{by_whom(row)} is {pace["text"]}: a {chance})'
    status = (row.get("reported_status") or "").replace("_", " ")
    return (f'"{row["title"]}"{by_whom(row)} is reported {status}, but its pace gives a {chance}; '
            f'likely to end {row["end_p50_pct"]}% of the way to target)')


def _concerns(facts: dict, phrases: dict[str, str]) -> list[dict]:
    krs, weeks_left = facts["key_results"], facts["health"].get("weeks_left")
    concerns = [{"text": _at_risk(row, weeks_left), "refs": [row["ref"]]} for row in krs["at_risk"][:3]]
    for row in facts["blockers"]["recurring"][:3]:
        teams = f" ({', '.join(row['teams'])})" if row.get("teams") else ""
        name = f'"{phrases[row["ref"]]}"' if phrases.get(row["ref"]) else f"a {row['kind'] or 'recurring'} blocker"
        held = counted(row["key_results_total"], "key result")
        concerns.append({"text": f"Recurring blocker: {name} mentioned in {row['mentions']} comments and "
                                 f"check-ins, holding back {held}{teams}",
                         "refs": [row["ref"], *row["key_results"]]})
    concerns += _status_concerns(facts["forecast"])
    if krs["stalled_total"]:
        stalled = krs["stalled_total"]
        concerns.append({"text": f"{counted(stalled, 'key result')} {agrees(stalled, 'has', 'have')} not moved "
                                 f"or been checked in for {krs['stall_after_days']} days",
                         "refs": [row["ref"] for row in krs["stalled"]]})
    return concerns


def _status_concerns(forecast: dict) -> list[dict]:
    """Reported statuses the forecast or the pace contradicts, in the KR's units ("reaches 8.1 of 25 teams"):
    one sentence per key result."""
    paces = {row["ref"]: row for row in forecast.get("status_vs_pace", [])[:2]}
    found = [{"text": _disagreement(row, paces.pop(row["ref"], None)), "refs": [row["ref"]]}
             for row in forecast.get("status_disagreements", [])[:2]]
    for row in paces.values():
        subject = f'"{row["title"]}"{by_whom(row)} is ' if row.get("title") else "One key result is "
        found.append({"text": subject + row["text"], "refs": [row["ref"]]})
    return found


def template_narrative(facts: dict, quotes: list[dict] | None = None) -> dict:
    """A narrative that passes the same checks as the model's, built from the facts alone."""
    phrases = blocker_phrases(quotes or [], allowed_numbers(facts))
    return {"headline": _headline(facts["health"]), "summary": _summary(facts["health"]),
            "highlights": unique_entries(_highlights(facts))[:8],
            "concerns": unique_entries(_concerns(facts, phrases))[:8],
            "recommendations": unique_entries(recommendation_entries(facts, phrases))[:10]}
