"""Server-drawn SVG: progress bars and trend charts, no script and no inline style (strict CSP)."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from markupsafe import Markup, escape

from okr_core.domain import KRStatus
from okr_core.rules import clamp_progress

STATUS_TEXT = {KRStatus.ON_TRACK: "On track", KRStatus.AT_RISK: "At risk",
               KRStatus.OFF_TRACK: "Off track", KRStatus.NOT_STARTED: "Not started"}


def status_text(status) -> str:
    """The words for a status, so it reads without its colour."""
    if not status:
        return "No status"
    return STATUS_TEXT.get(KRStatus(status), str(status))


def percent(progress: float | None) -> str:
    return "no target" if progress is None else f"{round(clamp_progress(progress) * 100)}%"


def progress_bar(progress: float | None, status) -> Markup:
    """A labelled bar whose fill width is the clamped progress (an SVG attribute, CSP-safe)."""
    share = clamp_progress(progress) if progress is not None else 0.0
    label = f"{percent(progress)} complete" + (f", {status_text(status)}" if status else "")
    # f-strings with explicit escaping: Markup.format is too slow for a thousand bars a page.
    return Markup(
        f'<svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" '
        f'aria-label="{escape(label)}"><rect class="bar-track" width="100" height="8" rx="2"/>'
        f'<rect class="bar-fill status-{escape(str(status or "none"))}" width="{share * 100:.1f}" '
        f'height="8" rx="2"/></svg>')


def trend_chart(points: Sequence[tuple[datetime, float | None]], width: int = 160,
                height: int = 40, label: str = "Progress over time") -> Markup:
    """A line of progress over time with one circle per snapshot; "no history yet" when empty."""
    width, height = int(width), int(height)
    plotted = [(at, clamp_progress(p)) for at, p in points if p is not None]
    if not plotted:
        return Markup('<span class="muted trend-empty">no history yet</span>')
    coords = _coordinates(plotted, width, height)
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    circles = "".join(
        f'<circle class="trend-point" cx="{x:.1f}" cy="{y:.1f}" r="2.5">'
        f'<title>{at:%d %b}: {round(p * 100)}%</title></circle>'
        for (x, y), (at, p) in zip(coords, plotted))
    if len(plotted) == 1:  # one point reads as a value, not a lone dot
        (x, y), (at, share) = coords[0], plotted[0]
        circles += (f'<text class="trend-label" x="{x + 6:.1f}" y="{min(height - 2, y + 4):.1f}">'
                    f'{round(share * 100)}% on {at:%d %b}</text>')
    summary = f"{label}: {len(plotted)} points, latest {round(plotted[-1][1] * 100)}%"
    return Markup(
        f'<svg class="trend" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(summary)}"><polyline class="trend-line" '
        f'points="{line}"/>{circles}</svg>')


def _coordinates(plotted, width: int, height: int) -> list[tuple[float, float]]:
    """Time on x (evenly when all points share a moment), progress 0..1 on y, 4px margin."""
    pad = 4.0
    first, last = plotted[0][0], plotted[-1][0]
    span = (last - first).total_seconds()
    coords = []
    for index, (at, share) in enumerate(plotted):
        if span > 0:
            fraction = (at - first).total_seconds() / span
        else:
            fraction = index / max(1, len(plotted) - 1)
        coords.append((pad + fraction * (width - 2 * pad), height - pad - share * (height - 2 * pad)))
    return coords
