"""The message one row stands for, written when it is sent (so it says what is true then)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.notification_settings import NotificationDefaults
from okr_core.analysis.digest import build_digest, pct
from okr_core.models import Analysis, Cycle, KeyResult, Team, User
from sync.notify import content
from sync.notify.due import (
    LEADERSHIP_DIGEST, REMINDER, active_cycle_ids, krs_to_remind, latest_company_analysis,
)
from sync.notify.links import page_url, unsubscribe_url

DIGEST_ROWS = 5
TEAM_ANALYSIS_MAX_AGE_DAYS = 8


class NothingToSay(Exception):
    """The message has no content any more (KRs checked in since, no analysis): skip it."""


def _status_words(status) -> str:
    return str(status).replace("_", " ")


def compose(session: Session, user: User, kind: str, now: datetime, defaults: NotificationDefaults,
            base_url: str, secret_key: str) -> content.Message:
    prefs = page_url(base_url, "/notifications")
    unsubscribe = unsubscribe_url(base_url, secret_key, user.id)
    if kind == REMINDER:
        rows = krs_to_remind(session, user.id, now, defaults.skip_days)
        if not rows:
            raise NothingToSay("every key result due was checked in recently")
        lines = [content.KrLine(row.kr.title, row.kr.objective.title,
                                None if row.kr.progress is None else pct(row.kr.progress),
                                _status_words(row.kr.status),
                                row.last_check_in.date().isoformat() if row.last_check_in else None,
                                page_url(base_url, f"/key-results/{row.kr.id}")) for row in rows]
        days = " and ".join(dict.fromkeys(row.week.words for row in rows))   # each team's day once
        return content.reminder(user.name, lines, days, page_url(base_url, "/mine"), prefs, unsubscribe)
    facts = digest_facts(session, kind, user, base_url)
    return content.digest(kind, user.name, facts, prefs, unsubscribe)


def _titles(session: Session, sections: dict) -> dict[int, str]:
    ids = [int(i) for i in sections.get("directory", {}).get("key_results", {})]
    if not ids:
        return {}
    return dict(session.execute(select(KeyResult.id, KeyResult.title).where(KeyResult.id.in_(ids))).all())


def _team_analysis(session: Session, cycle_id: int, team_id: int, now_floor) -> Analysis | None:
    return session.scalars(select(Analysis).where(
        Analysis.cycle_id == cycle_id, Analysis.scope == f"team:{team_id}", Analysis.state == "done",
        Analysis.created_at >= now_floor).order_by(Analysis.created_at.desc()).limit(1)).first()


def digest_facts(session: Session, kind: str, user: User, base_url: str) -> content.DigestFacts:
    """The stored analysis of the first active cycle, for the company or for the lead's team
    (the team's own analysis when recent, else the company's rows of that team)."""
    from datetime import timedelta, timezone

    team = session.get(Team, user.team_id) if user.team_id else None
    for cycle_id in active_cycle_ids(session):
        analysis, team_filter = latest_company_analysis(session, cycle_id), None
        if kind != LEADERSHIP_DIGEST and team is not None:
            floor = datetime.now(timezone.utc) - timedelta(days=TEAM_ANALYSIS_MAX_AGE_DAYS)
            analysis = _team_analysis(session, cycle_id, team.id, floor) or analysis
            team_filter = team.name if analysis and analysis.scope == "company" else None
        if analysis is not None:
            return _facts(session, analysis, kind, team, team_filter, base_url)
    raise NothingToSay("no finished analysis of an active cycle")


def _kr_rows(rows: list[dict], team_filter: str | None, base_url: str, detail) -> list[dict]:
    picked = [r for r in rows if team_filter is None or r.get("team") == team_filter]
    return [{"title": r["title"], "detail": detail(r),
             "url": page_url(base_url, f"/key-results/{r['ref'].split(':')[1]}")}
            for r in picked[:DIGEST_ROWS]]


def _facts(session, analysis: Analysis, kind: str, team: Team | None, team_filter: str | None,
           base_url: str) -> content.DigestFacts:
    sections = analysis.sections
    facts, quotes = build_digest(sections, _titles(session, sections), limit=20)
    health = facts["health"]
    phrases = {q["blocker"]: q["phrase"] for q in quotes if "phrase" in q}
    blockers = [{"phrase": phrases.get(b["ref"], b["kind"]), "mentions": b["mentions"]}
                for b in facts["blockers"]["recurring"]
                if team_filter is None or team_filter in b["teams"]][:DIGEST_ROWS]
    recommendations = [r["text"] for r in (analysis.narrative or {}).get("recommendations", [])
                       if r.get("text")][:DIGEST_ROWS]
    cycle = session.get(Cycle, analysis.cycle_id)
    at_risk = _kr_rows(facts["key_results"]["at_risk"], team_filter, base_url,
                       lambda r: f"{r['progress_pct']} %, {_status_words(r['status'])}"
                       + (f", owner {r['owner']}" if r.get("owner") else ""))
    stalled = _kr_rows(facts["key_results"]["stalled"], team_filter, base_url,
                       lambda r: f"no progress for {r['days_idle']} days"
                       + (f", owner {r['owner']}" if r.get("owner") else ""))
    leadership = kind == LEADERSHIP_DIGEST or team is None
    title = "Monday digest" if leadership else f"Team digest for {team.name}"
    page = "/" if leadership else f"/teams/{team.id}"
    return content.DigestFacts(title, cycle.name, health["score"], health["score_change"],
                               at_risk, stalled, blockers, recommendations,
                               analysis.created_at.date().isoformat(), page_url(base_url, page))
