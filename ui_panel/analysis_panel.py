"""The analysis panel as people read it: the narrative with links, the sections as blocks."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import select

from okr_core.models import KeyResult, Objective
from plumbing.db import request_session
from ui_panel.forecast_words import chance_words, range_words, scales

NARRATIVE_LISTS = (("highlights", "Key highlights"), ("concerns", "Areas of concern"),
                   ("recommendations", "Recommendations"))
STATUSES = (("on_track", "On track"), ("at_risk", "At risk"), ("off_track", "Off track"))


@dataclass
class Block:
    heading: str
    items: list = field(default_factory=list)   # (text, [(href, title)]) per item


@dataclass
class Panel:
    headline: str = ""
    summary: str = ""
    written_by: str = ""
    blocks: list[Block] = field(default_factory=list)
    health: dict | None = None
    breakdown: list = field(default_factory=list)     # (label, objectives, key results, status)
    forecast: list = field(default_factory=list)      # (href, title, chance, P10-P90 range)
    blockers: list = field(default_factory=list)      # (phrase, kind, mentions)


def _titles(refs: set[str]) -> dict[str, tuple[str, str]]:
    """kr:<id> and objective:<id> refs as (page address, title), in two statements."""
    ids = {kind: {int(r.split(":")[1]) for r in refs if r.startswith(kind + ":")
                  and r.split(":")[1].isdigit()} for kind in ("kr", "objective")}
    session = request_session()
    found = {}
    for kr_id, title in session.execute(select(KeyResult.id, KeyResult.title)
                                        .where(KeyResult.id.in_(ids["kr"]))):
        found[f"kr:{kr_id}"] = (url_for("checkins.key_result", kr_id=kr_id), title)
    for objective_id, title in session.execute(select(Objective.id, Objective.title)
                                               .where(Objective.id.in_(ids["objective"]))):
        found[f"objective:{objective_id}"] = (
            url_for("objective_pages.show", objective_id=objective_id), title)
    return found


def _narrative_items(narrative: dict, key: str) -> list:
    return [item for item in (narrative.get(key) or [])
            if isinstance(item, (dict, str))]


def build_panel(analysis) -> Panel | None:
    """What the panel shows of an analysis; the model's and the template's narratives alike."""
    if analysis is None:
        return None
    narrative = analysis.narrative if isinstance(analysis.narrative, dict) else {}
    sections = analysis.sections if isinstance(analysis.sections, dict) else {}
    refs = {r for key, _ in NARRATIVE_LISTS for item in _narrative_items(narrative, key)
            if isinstance(item, dict) for r in item.get("refs") or [] if isinstance(r, str)}
    forecast_rows = _lowest_chances(sections)
    titles = _titles(refs | {f"kr:{row['kr_id']}" for row in forecast_rows})
    panel = Panel(headline=str(narrative.get("headline") or ""),
                  summary=str(narrative.get("summary") or ""),
                  written_by=_written_by(narrative, analysis.model))
    for key, heading in NARRATIVE_LISTS:
        block = Block(heading)
        for item in _narrative_items(narrative, key):
            text = item if isinstance(item, str) else str(item.get("text") or "")
            links = [titles[r] for r in (item.get("refs") or []) if r in titles] \
                if isinstance(item, dict) else []
            block.items.append((text, links[:3]))
        panel.blocks.append(block)
    _sections(panel, sections, titles, forecast_rows)
    return panel


def _written_by(narrative: dict, model: str | None) -> str:
    if narrative.get("source") == "llm" and model:
        return f"Written by {model} from the cycle's figures."
    return "Written from the cycle's figures (no language model is set up)."


def _lowest_chances(sections: dict, limit: int = 5) -> list[dict]:
    rows = [r for r in (sections.get("forecast") or {}).get("key_results", [])
            if isinstance(r, dict) and isinstance(r.get("chance"), (int, float))
            and isinstance(r.get("kr_id"), int)]
    return sorted(rows, key=lambda r: r["chance"])[:limit]


def _sections(panel: Panel, sections: dict, titles: dict, forecast_rows: list) -> None:
    health = sections.get("health") or {}
    if health.get("score") is not None:
        trend = health.get("trend") or {}
        panel.health = {"score": health["score"], "previous": trend.get("previous_score"),
                        "direction": trend.get("direction")}
    objective_counts = (health.get("objectives") or {}).get("counts") or {}
    kr_counts = (health.get("key_results") or {}).get("counts") or {}
    panel.breakdown = [(label, objective_counts.get(key, 0), kr_counts.get(key, 0), key)
                       for key, label in STATUSES]
    kr_scales = scales({row["kr_id"] for row in forecast_rows})
    trials = (sections.get("forecast") or {}).get("trials")
    for row in forecast_rows:
        href, title = titles.get(f"kr:{row['kr_id']}", ("", f"Key result {row['kr_id']}"))
        panel.forecast.append((href, title, chance_words(row),
                               range_words(row, kr_scales.get(row["kr_id"]), trials)))
    for row in ((sections.get("blockers") or {}).get("recurring") or [])[:5]:
        if isinstance(row, dict):
            panel.blockers.append((row.get("phrase", ""), row.get("kind"),
                                   row.get("count", 0)))


def status_bar(breakdown: list) -> Markup:
    """The key results' on-track / at-risk / off-track shares as one stacked bar (SVG)."""
    total = sum(krs for _label, _objectives, krs, _key in breakdown)
    if not total:
        return Markup("")
    parts, x = [], 0.0
    for label, _objectives, krs, key in breakdown:
        width = 100.0 * krs / total
        parts.append(f'<rect class="bar-fill status-{escape(key)}" x="{x:.2f}" width="{width:.2f}" '
                     f'height="10"><title>{escape(label)}: {krs}</title></rect>')
        x += width
    summary = ", ".join(f"{krs} {label.lower()}" for label, _o, krs, _k in breakdown)
    return Markup(f'<svg class="bar status-bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
                  f'role="img" aria-label="Key results: {escape(summary)}">{"".join(parts)}</svg>')
