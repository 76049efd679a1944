"""What the objective page shows: its KRs, aligned children, check-ins and analysis slice."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.models import CheckIn, Cycle, KeyResult, Objective, Team, User
from okr_core.rules import is_cycle_writable
from okr_core.visibility import Viewer, can_edit, visible_objectives_clause
from ui_panel.analysis_panel import NARRATIVE_LISTS
from ui_panel.loading import latest_analysis, load_series

RECENT_CHECK_INS = 15
ITEM_KIND = {"highlights": "Highlight", "concerns": "Concern", "recommendations": "Recommendation"}


def objective_page_context(session: Session, objective: Objective, viewer: Viewer) -> dict:
    cycle = session.get(Cycle, objective.cycle_id)
    krs = session.scalars(select(KeyResult).where(KeyResult.objective_id == objective.id)
                          .order_by(KeyResult.id)).all()
    kr_ids = [kr.id for kr in krs]
    children = session.scalars(select(Objective).where(
        Objective.parent_id == objective.id, Objective.archived.is_(False),
        visible_objectives_clause(viewer)).order_by(Objective.id)).all()
    parent = session.get(Objective, objective.parent_id) if objective.parent_id else None
    owner_ids = {objective.owner_id, *(k.owner_id for k in krs), *(c.owner_id for c in children)}
    view = SimpleNamespace(
        people=dict(session.execute(select(User.id, User.name).where(
            User.id.in_([i for i in owner_ids if i]))).all()),
        teams=dict(session.execute(select(Team.id, Team.name)).all()),
        series=load_series(session, cycle.id, viewer, only=kr_ids),
        writable=is_cycle_writable(cycle.status), cycle=cycle)
    analysis = latest_analysis(session, cycle.id, "company", viewer)
    return {"objective": objective, "cycle": cycle, "key_results": krs, "children": children,
            "parent": parent if parent is not None and _visible(session, parent, viewer) else None,
            "view": view, "check_ins": _recent_check_ins(session, kr_ids),
            "may_edit": is_cycle_writable(cycle.status) and can_edit(viewer, objective),
            "analysis_slice": analysis_slice(analysis, objective.id, kr_ids)}


def _visible(session: Session, objective: Objective, viewer: Viewer) -> bool:
    return session.scalar(select(Objective.id).where(
        Objective.id == objective.id, visible_objectives_clause(viewer))) is not None


def _recent_check_ins(session: Session, kr_ids: list[int]):
    return session.execute(
        select(CheckIn, KeyResult.title, User.name)
        .join(KeyResult, KeyResult.id == CheckIn.key_result_id)
        .outerjoin(User, User.id == CheckIn.author_id)
        .where(CheckIn.key_result_id.in_(kr_ids))
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc()).limit(RECENT_CHECK_INS)).all()


def analysis_slice(analysis, objective_id: int, kr_ids: list[int]) -> list[tuple[str, str]]:
    """The narrative items that name this objective or one of its KRs: (kind, text)."""
    if analysis is None or not isinstance(analysis.narrative, dict):
        return []
    mine = {f"objective:{objective_id}", *(f"kr:{i}" for i in kr_ids)}
    found = []
    for key, _heading in NARRATIVE_LISTS:
        for item in analysis.narrative.get(key) or []:
            if isinstance(item, dict) and mine & set(item.get("refs") or []):
                found.append((ITEM_KIND[key], str(item.get("text", ""))))
    return found
