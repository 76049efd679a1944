"""analyse(): every section of SPEC 6 from plain facts, deterministically."""
from __future__ import annotations

from okr_core.analysis.alignment import alignment_section
from okr_core.analysis.blocker_report import blockers_section
from okr_core.analysis.context import build_context
from okr_core.analysis.directory import directory
from okr_core.analysis.facts import CycleFacts
from okr_core.analysis.forecast import forecast_section
from okr_core.analysis.health import health_section
from okr_core.analysis.key_results import key_results_section
from okr_core.analysis.recommendations import recommendations_section
from okr_core.analysis.retrospective import retrospective_section
from okr_core.analysis.role_views import views_section

SECTIONS_VERSION = 1


def analyse(facts: CycleFacts) -> dict:
    """The computed sections, JSON-ready; the same facts always give the same sections."""
    ctx = build_context(facts)
    key_results = key_results_section(ctx)
    alignment = alignment_section(ctx)
    blockers = blockers_section(ctx)
    sections = {
        "version": SECTIONS_VERSION,
        "cycle": {"id": facts.cycle.id, "name": facts.cycle.name, "status": facts.cycle.status,
                  "start_date": facts.cycle.start_date.isoformat(),
                  "end_date": facts.cycle.end_date.isoformat()},
        "scope": facts.scope,
        "as_of": facts.now.isoformat(),
        "subjects": {"objective_ids": sorted(o.id for o in facts.objectives),
                     "key_result_ids": sorted(kr.id for kr in facts.key_results),
                     "team_names": {str(k): v for k, v in sorted(facts.team_names.items())}},
        "health": health_section(ctx, key_results["achievability"]["projected_score"]),
        "key_results": key_results,
        "alignment": alignment,
        "blockers": blockers,
        "recommendations": recommendations_section(ctx, key_results, alignment, blockers),
        "forecast": forecast_section(ctx),
        "retrospective": retrospective_section(ctx, key_results, blockers),
    }
    sections["views"] = views_section(ctx, sections)
    sections["directory"] = directory(ctx, sections)
    return sections
