"""What an approved check-in says in the tracker: a Linear project update's body or a Jira comment."""
from __future__ import annotations

from okr_core.checkin_drafts.compose import STATUS_WORDS
from okr_core.domain import KRStatus
from okr_core.value_format import format_range, value_style


def post_body(kr, check_in, draft, author: str, panel: str) -> str:
    """The figures of the check-in, in plain lines (Linear reads them as markdown)."""
    style = value_style(kr.unit, kr.measure, kr.start_value, kr.target_value)
    status = KRStatus(check_in.status) if check_in.status else KRStatus(kr.status)
    lines = [f"Weekly check-in on {kr.title}, approved by {author}",
             f"Value: {format_range(kr.current_value, kr.target_value, style)}",
             f"Status: {STATUS_WORDS.get(status, 'not started')}"]
    if check_in.confidence is not None:
        lines.append(f"Confidence: {check_in.confidence} of 10")
    points = f"{draft.points_done:g}"
    lines.append(f"Done this week: {draft.items_done} issues, {points} points"
                 + (": " + ", ".join(m["key"] for m in draft.moved) if draft.moved else ""))
    if check_in.blockers:
        lines.append("Blockers: " + "; ".join(check_in.blockers.splitlines()))
    if check_in.note:
        lines.append(f"Note: {check_in.note}")
    lines.append(f"Details: {panel}")
    return "\n".join(lines)
