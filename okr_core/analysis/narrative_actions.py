"""Recommendation sentences of the template narrative: who should act, on what, and why, by impact.

One sentence per distinct action: at-risk KRs held back by the same recurring blocker become one
"schedule a sync" action rather than one escalation each.
"""
from __future__ import annotations

from collections import defaultdict

from okr_core.wording import counted

PER_KIND = 2

KIND_ADVICE = {
    "dependency": "agree delivery dates with the teams you depend on before committing",
    "person": "agree a review and sign-off turnaround with the people involved",
    "external": "build the vendor's or store's lead time into the plan",
    "resource": "secure capacity, access and budget before the cycle starts",
    "technical": "reserve time to fix the tooling first",
}


def _actor(kr: dict) -> str:
    return kr.get("owner") or (f"{kr['team']}" if kr.get("team") else "The owner")


def _first(row: dict) -> dict:
    return row["key_results"][0] if row["key_results"] else {"title": "", "ref": ""}


def _quoted(phrases: dict, refs: list[str]) -> str | None:
    return next((f'"{phrases[r]}"' for r in refs if phrases.get(r)), None)


def _reallocation(row: dict, phrases: dict) -> tuple[float, str]:
    kr = _first(row)
    source = row.get("from") or "The teams ahead of plan"
    return 15.0 * row.get("krs_behind", 1), (
        f'{source} to lend capacity to {row.get("to") or "the team behind"}: {row.get("krs_behind", 1)} '
        f'key results behind plan, starting with "{kr["title"]}"')


def _review_scope(row: dict, phrases: dict) -> tuple[float, str]:
    kr = _first(row)
    team = f" with {kr['team']}" if kr.get("team") else ""
    return 20.0 + row.get("behind_pct", 0), (
        f'{_actor(kr)}: review scope or add people{team} for "{kr["title"]}" '
        f'({row.get("behind_pct", 0)}% behind plan)')


def _quick_win(row: dict, phrases: dict) -> tuple[float, str]:
    kr = _first(row)
    team = f" with {kr['team']}" if kr.get("team") else ""
    return 25.0, f'{_actor(kr)}: finish "{kr["title"]}" ({row.get("progress_pct")}%) and celebrate the win{team}'


def _sunset(row: dict, phrases: dict) -> tuple[float, str]:
    kr = _first(row)
    return 15.0, (f'{_actor(kr)}: retire or rewrite "{kr["title"]}", idle {row.get("days_idle")} days at '
                  f'confidence {row.get("confidence")}')


def _next_cycle(row: dict, phrases: dict, facts: dict) -> tuple[float, str]:
    action, total = row["action"], row["key_results_total"]
    if action == "raise_ambition":
        return 8.0, f"Next cycle: set more ambitious targets; the projected score {row.get('projected_score')} is above the sweet spot"
    if action == "set_fewer_or_reachable_targets":
        return 12.0, (f"Next cycle: set fewer or more reachable targets for the {counted(total, 'key result')} "
                      f"furthest from target (projected score {row.get('projected_score')})")
    if action == "reduce_objectives":
        teams = ", ".join(row["teams"]) or "the busiest owners"
        return 9.0, f"Next cycle: {teams} to carry at most {facts['focus']['objective_limit']} objectives each"
    if action == "align_to_parent_objectives":
        names = ", ".join(f'"{title}"' for title in row["objectives"]) or "the orphan objectives"
        return 7.0, f"Next cycle: align {names} to a company objective"
    if action == "resolve_priority_conflicts":
        return 7.0, (f"Next cycle: decide which key result owns each of the {row.get('items')} work items "
                     "counted toward competing key results")
    phrase = _quoted(phrases, row["blockers"]) or "the top recurring blocker"
    kind = facts["blockers"]["recurring"][0]["kind"] if facts["blockers"]["recurring"] else None
    for recurring in facts["blockers"]["recurring"]:
        if recurring["ref"] in row["blockers"]:
            kind = recurring["kind"]
    advice = KIND_ADVICE.get(kind or "", "plan the work around it")
    return 10.0 + row.get("mentions", 0), f"Next cycle: plan around {phrase} ({row.get('mentions')} mentions): {advice}"


def _escalations(rows: list[dict], phrases: dict, facts: dict) -> list[tuple[float, dict]]:
    """At-risk KRs sharing a recurring blocker: one sync with the teams involved."""
    by_blocker: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_blocker[row["blockers"][0] if row["blockers"] else ""].append(row)
    found = []
    recurring = {r["ref"]: r for r in facts["blockers"]["recurring"]}
    for ref, group in by_blocker.items():
        phrase = _quoted(phrases, [ref]) or "the recurring blocker"
        krs = [_first(row) for row in group]
        teams = sorted({kr["team"] for kr in krs if kr.get("team")} | set(recurring.get(ref, {}).get("teams", [])))
        who = " and ".join(teams[:3]) or "the owners"
        refs = [*[row["ref"] for row in group], ref, *[kr["ref"] for kr in krs],
                *[r for row in group for r in row["subjects"]]]
        if len(krs) == 1:
            text = (f'{_actor(krs[0])}: escalate {phrase} to unblock "{krs[0]["title"]}" '
                    f'({group[0].get("behind_pct", 0)}% behind plan)')
        else:
            text = f"Schedule a sync with {who} on {phrase} to unblock {len(krs)} dependent key results"
        impact = 30.0 + sum(row.get("behind_pct", 0) for row in group)
        found.append((impact, {"text": text, "refs": list(dict.fromkeys(r for r in refs if r))}))
    return found


_PHRASERS = {"shift_capacity": _reallocation, "review_scope_or_resources": _review_scope,
             "finish_and_celebrate": _quick_win, "retire_or_rewrite": _sunset}


def recommendation_entries(facts: dict, phrases: dict[str, str]) -> list[dict]:
    """Distinct actions, most impact first."""
    ranked: list[tuple[float, dict]] = []
    rows = facts["recommendations"]
    ranked += _escalations([r for r in rows if r["action"] == "escalate_blockers"], phrases, facts)
    for row in rows:
        if row["action"] == "escalate_blockers":
            continue
        phraser = _PHRASERS.get(row["action"])
        impact, text = phraser(row, phrases) if phraser else _next_cycle(row, phrases, facts)
        ranked.append((impact, {"text": text, "refs": list(dict.fromkeys([row["ref"], *row["subjects"], *row["blockers"]]))}))
    ranked.sort(key=lambda pair: -pair[0])
    return per_kind([entry for _, entry in ranked], rows)


def per_kind(entries: list[dict], rows: list[dict], cap: int = PER_KIND) -> list[dict]:
    """At most `cap` sentences of one kind, so every kind the data supports finds room."""
    kind_of = {row["ref"]: row["kind"] for row in rows}
    counts: dict[str, int] = defaultdict(int)
    kept = []
    for entry in entries:
        kind = next((kind_of[r] for r in entry["refs"] if r in kind_of), "risk_mitigation")
        counts[kind] += 1
        if counts[kind] <= cap:
            kept.append(entry)
    return kept
