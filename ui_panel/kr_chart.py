"""The KR page's progress chart: axes, dates, the target line and the expected-pace line.

Server-drawn SVG with classes only (no inline style, strict CSP). One snapshot is drawn as a
point with its value and date beside it.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Sequence

from markupsafe import Markup, escape

from okr_core.rules import clamp_progress

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 46, 16, 14, 34
Y_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


class _Frame:
    """Maps (time, progress) to SVG coordinates over the cycle's dates."""

    def __init__(self, start: date, end: date):
        self.begins, self.ends = _moment(start), _moment(end + timedelta(days=1))
        self.span = (self.ends - self.begins).total_seconds() or 1.0

    def x(self, at: datetime) -> float:
        share = min(1.0, max(0.0, (at - self.begins).total_seconds() / self.span))
        return LEFT + share * (WIDTH - LEFT - RIGHT)

    @staticmethod
    def y(progress: float) -> float:
        return TOP + (1.0 - progress) * (HEIGHT - TOP - BOTTOM)


def _axes(frame: _Frame, start: date, end: date) -> str:
    parts = []
    for tick in Y_TICKS:
        y = frame.y(tick)
        parts.append(f'<line class="chart-grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" '
                     f'y2="{y:.1f}"/><text x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{round(tick * 100)}%</text>')
    middle = start + (end - start) / 2
    for day, anchor in ((start, "start"), (middle, "middle"), (end, "end")):
        x = frame.x(_moment(day) + (timedelta(days=1) if day == end else timedelta()))
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}">'
                     f'{day:%d %b %Y}</text>')
    bottom = frame.y(0.0)
    parts.append(f'<line class="chart-axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}"/>'
                 f'<line class="chart-axis" x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" '
                 f'y2="{bottom}"/>')
    return "".join(parts)


def _guides(frame: _Frame) -> str:
    target, right = frame.y(1.0), WIDTH - RIGHT
    return (f'<line class="chart-target" x1="{LEFT}" y1="{target:.1f}" x2="{right}" '
            f'y2="{target:.1f}"><title>Target</title></line>'
            f'<line class="chart-pace" x1="{LEFT}" y1="{frame.y(0.0):.1f}" x2="{right}" '
            f'y2="{target:.1f}"><title>Expected pace</title></line>')


def _series(frame: _Frame, plotted: list[tuple[datetime, float]]) -> str:
    coords = [(frame.x(at), frame.y(share)) for at, share in plotted]
    circles = "".join(
        f'<circle class="trend-point chart-point" cx="{x:.1f}" cy="{y:.1f}" r="4">'
        f'<title>{at:%d %b}: {round(share * 100)}%</title></circle>'
        for (x, y), (at, share) in zip(coords, plotted))
    if len(plotted) == 1:
        (x, y), (at, share) = coords[0], plotted[0]
        anchor = "end" if x > WIDTH / 2 else "start"
        dx = -8 if anchor == "end" else 8
        return circles + (f'<text class="chart-point-label" x="{x + dx:.1f}" y="{y - 8:.1f}" '
                          f'text-anchor="{anchor}">{round(share * 100)}% on {at:%d %b}</text>')
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    return f'<polyline class="trend-line chart-line" points="{line}"/>' + circles


def progress_chart(points: Sequence[tuple[datetime, float | None]], start: date, end: date,
                   label: str = "Progress over time") -> Markup:
    """Progress (0-100%) across the cycle's dates, with target and expected-pace lines."""
    plotted = [(at, clamp_progress(p)) for at, p in points if p is not None]
    frame = _Frame(start, end)
    latest = f", latest {round(plotted[-1][1] * 100)}%" if plotted else ", no check-ins yet"
    summary = f"{label}: {len(plotted)} points from {start:%d %b} to {end:%d %b}{latest}"
    body = _axes(frame, start, end) + _guides(frame) + (_series(frame, plotted) if plotted else
                                                        f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" '
                                                        f'text-anchor="middle">no history yet'
                                                        f'</text>')
    return Markup(f'<svg class="trend chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
                  f'aria-label="{escape(summary)}">{body}</svg>')
