"""What mirrors and write-backs say: pure text builders from plain values."""
from __future__ import annotations

from dataclasses import dataclass

from connector.base import MirrorKind, MirrorSpec
from okr_core.value_format import format_value, value_style

ARCHIVED_PREFIX = "[archived] "


@dataclass(frozen=True)
class KRFigures:
    """A key result's numbers as the tracker shows them."""

    kr_id: int
    title: str
    start: float
    target: float | None
    current: float | None
    unit: str
    progress: float | None
    status: str


def panel_url(base_url: str, team_id: int | None, kr_id: int | None = None) -> str:
    """The okrsync panel for a team's OKR tree, pointing at one KR when given."""
    path = f"/panel/team/{team_id}" if team_id is not None else "/"
    return f"{base_url.rstrip('/')}{path}" + (f"?kr={kr_id}" if kr_id is not None else "")


def percent(progress: float | None) -> str:
    """Progress as a whole percentage, clamped for display; '-' when unknown."""
    if progress is None:
        return "-"
    return f"{round(max(0.0, min(1.0, progress)) * 100)}%"


def _number(value: float | None, figures: KRFigures) -> str:
    """A value in the KR's unit, written as on the pages (okr_core.value_format)."""
    if value is None:
        return "-"
    return format_value(value, value_style(figures.unit, start=figures.start,
                                           target=figures.target))


def kr_description(figures: KRFigures, panel: str) -> str:
    """The Jira KR issue's description: target, current value, progress, status, panel link."""
    return "\n".join([
        f"Key result tracked in okrsync: {figures.title}",
        f"Target: {_number(figures.target, figures)} (from {_number(figures.start, figures)})",
        f"Current value: {_number(figures.current, figures)}",
        f"Progress: {percent(figures.progress)}",
        f"Status: {figures.status.replace('_', ' ')}",
        f"Panel: {panel}",
        "This description is written by okrsync; edits here are overwritten.",
    ])


def attachment_title(figures: KRFigures) -> str:
    """Title of the Linear attachment on an issue that counts toward the KR."""
    return f"KR: {figures.title} ({percent(figures.progress)}, {figures.status.replace('_', ' ')})"


def status_body(figures: KRFigures, panel: str) -> str:
    """Body of a Linear project update."""
    return (f"{figures.title}: {_number(figures.current, figures)} of "
            f"{_number(figures.target, figures)}, progress {percent(figures.progress)}. "
            f"Details: {panel}")


def objective_spec(objective_id: int, title: str, description: str, container: str,
                   panel: str, archived: bool = False) -> MirrorSpec:
    """The spec of an objective's mirror (Jira epic / Linear initiative)."""
    text = (description.strip() + "\n\n" if description.strip() else "") + f"OKR panel: {panel}"
    return MirrorSpec(MirrorKind.OBJECTIVE, str(objective_id),
                      (ARCHIVED_PREFIX if archived else "") + title, text, container)


def key_result_spec(figures: KRFigures, container: str, parent_ref: str | None, panel: str,
                    archived: bool = False) -> MirrorSpec:
    """The spec of a KR's mirror (Jira child issue / Linear project)."""
    return MirrorSpec(MirrorKind.KEY_RESULT, str(figures.kr_id),
                      (ARCHIVED_PREFIX if archived else "") + figures.title,
                      kr_description(figures, panel), container, parent_ref)


def deleted_spec(kind: MirrorKind, subject_id: int, container: str) -> MirrorSpec:
    """What a mirror says once its objective or KR was deleted in okrsync (on_delete=archive)."""
    noun = "objective" if kind is MirrorKind.OBJECTIVE else "key result"
    return MirrorSpec(kind, str(subject_id), f"{ARCHIVED_PREFIX}OKR {noun} #{subject_id}",
                      f"This {noun} was deleted in okrsync; this mirror is no longer updated.",
                      container)
