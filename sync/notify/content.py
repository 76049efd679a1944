"""The words of reminders and digests: one `Message` with an HTML and a plain-text part for
email and Block Kit blocks (slack_sdk's models) for Slack, rendered from the same facts.

Digests read the stored cycle analysis (okr_core.analysis.digest.build_digest over the sections
the analysis job saved); nothing is computed here a second time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from slack_sdk.models.blocks import (
    ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock,
)

from okr_core.wording import counted

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
_env.globals["counted"] = counted

KIND_LABELS = {"reminder": "Weekly check-in reminder", "leadership_digest": "Monday digest",
               "team_digest": "Team digest"}
SLACK_TEXT_LIMIT = 2900   # a section's text may hold 3,000 characters


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    slack_text: str
    slack_blocks: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class KrLine:
    """One key result in a reminder."""

    title: str
    objective: str
    progress_pct: int | None
    status: str
    last_check_in: str | None
    url: str


def _slack_escape(text: str) -> str:
    """Slack's three control characters (its message formatting guide)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str, label: str) -> str:
    return f"<{url}|{_slack_escape(label)}>"


def _section(text: str) -> dict:
    return SectionBlock(text=MarkdownTextObject(text=text[:SLACK_TEXT_LIMIT])).to_dict()


def _context(text: str) -> dict:
    return ContextBlock(elements=[MarkdownTextObject(text=text[:SLACK_TEXT_LIMIT])]).to_dict()


def reminder(name: str, krs: list[KrLine], day: str, mine_url: str, prefs_url: str,
             unsubscribe_url: str) -> Message:
    """`day` is when the team's check-in is due, in its words ("Friday 14:00 (Europe/Berlin)")."""
    subject = f"Check-in due {day}: {len(krs)} key result{'s' if len(krs) != 1 else ''}"
    context = dict(name=name, krs=krs, day=day, mine_url=mine_url, prefs_url=prefs_url,
                   unsubscribe_url=unsubscribe_url, subject=subject)
    lines = "\n".join(f"• {_slack_link(k.url, k.title)} ({k.objective}): "
                      f"{'–' if k.progress_pct is None else str(k.progress_pct) + ' %'}, {k.status}"
                      for k in krs)
    blocks = [HeaderBlock(text=subject[:150]).to_dict(),
              _section(f"{_slack_escape(name)}, your weekly check-in is due {day}. "
                       f"Update your key results on {_slack_link(mine_url, 'My OKRs')}."),
              _section(lines), _context(f"Change what you receive: {_slack_link(prefs_url, 'Notifications')}")]
    return Message(subject, _env.get_template("reminder.txt").render(context),
                   _env.get_template("reminder.html").render(context),
                   f"{name}, your weekly check-in is due {day} ({counted(len(krs), 'key result')}).", blocks)


@dataclass(frozen=True)
class DigestFacts:
    """What a digest shows, taken from the stored analysis."""

    title: str
    cycle_name: str
    health_score: int | None
    score_change: int | None
    at_risk: list[dict]
    stalled: list[dict]
    blockers: list[dict]
    recommendations: list[str]
    analysis_date: str
    page_url: str


def _trend(change: int | None) -> str:
    if change is None:
        return "no earlier week to compare"
    if change == 0:
        return "unchanged since last week"
    return f"{'up' if change > 0 else 'down'} {abs(change)} since last week"


def digest(kind: str, name: str, facts: DigestFacts, prefs_url: str, unsubscribe_url: str) -> Message:
    subject = f"{facts.title}: {facts.cycle_name}, health " + (
        "not scored yet" if facts.health_score is None else f"{facts.health_score}/100")
    context = dict(name=name, f=facts, trend=_trend(facts.score_change), prefs_url=prefs_url,
                   unsubscribe_url=unsubscribe_url, subject=subject)
    blocks = [HeaderBlock(text=subject[:150]).to_dict(),
              _section(f"Health {'–' if facts.health_score is None else facts.health_score}, "
                       f"{_trend(facts.score_change)}. {_slack_link(facts.page_url, 'Open the analysis')}")]
    for heading, rows in (("At risk", facts.at_risk), ("Stalled", facts.stalled)):
        if rows:
            blocks.append(_section(f"*{heading}*\n" + "\n".join(
                f"• {_slack_link(r['url'], r['title'])}: {r['detail']}" for r in rows)))
    if facts.blockers:
        blocks.append(_section("*Recurring blockers*\n" + "\n".join(
            f"• {_slack_escape(b['phrase'])} ({counted(b['mentions'], 'mention')})" for b in facts.blockers)))
    if facts.recommendations:
        blocks.append(_section("*Recommendations*\n" + "\n".join(
            f"• {_slack_escape(r)}" for r in facts.recommendations)))
    blocks += [DividerBlock().to_dict(),
               _context(f"From the analysis of {facts.analysis_date}. "
                        f"{_slack_link(prefs_url, 'Notifications')}")]
    return Message(subject, _env.get_template("digest.txt").render(context),
                   _env.get_template("digest.html").render(context),
                   f"{subject} ({_trend(facts.score_change)})", blocks)


def test_message(kind_label: str) -> Message:
    text = f"This is a test {kind_label} from okrsync. If you can read it, the settings work."
    return Message(f"okrsync test {kind_label}", text, f"<p>{text}</p>", text, [_section(text)])
