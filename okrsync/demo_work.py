"""Demo work items, links and comments behind the key results measured by tracker work."""
from __future__ import annotations

from datetime import datetime, timedelta

from okr_core.domain import LinkKind, Measure, StatusCategory
from okr_core.models import Comment, LinkItem, ProgressSnapshot, WorkItem, WorkLink
from okrsync import demo_words as words

PROJECTS = ["PLAT", "MOB", "DISC", "DSGN"]


def _link_for(measure: Measure, project: str, index: int) -> tuple[LinkKind, str]:
    if measure == Measure.ITEM_COUNT:
        return LinkKind.JQL, (f'project = {project} AND type = Bug AND priority = P1 '
                              'AND statusCategory != Done')
    if measure == Measure.DONE_COUNT:
        return LinkKind.JQL, f"project = {project} AND labels = okr-demo-{index}"
    return LinkKind.EPIC, f"{project}-{100 + index}"


def linked_history(session, rng, kr, measure, connection, now, pace, index, week_times,
                   people: list[str], team_names: list[str]) -> None:
    """Items whose done dates follow `pace`; a snapshot per week computed from what was done."""
    project = PROJECTS[index % len(PROJECTS)]
    kind, ref = _link_for(measure, project, index)
    link = WorkLink(key_result_id=kr.id, connection_id=connection.id, kind=kind, ref=ref,
                    resolved_at=now)
    session.add(link)
    session.flush()
    total = int(kr.start_value) if measure == Measure.ITEM_COUNT else rng.randint(12, 36)
    done_at = _done_dates(rng, total, pace, now, measure)
    items = []
    for n in range(total):
        finished = done_at[n]
        item = WorkItem(
            connection_id=connection.id, external_id=f"{10000 + index * 100 + n}",
            key=f"{project}-{200 + index * 100 + n}", title=f"{kr.title[:60]} — part {n + 1}",
            status_category=StatusCategory.DONE if finished else rng.choice(
                [StatusCategory.TODO, StatusCategory.IN_PROGRESS]),
            estimate=rng.choice([1, 2, 3, 5, 8]), parent_ref=ref if kind == LinkKind.EPIC else None,
            labels=["okr"], url=f"{connection.base_url}/browse/{project}-{200 + index * 100 + n}",
            tracker_updated_at=finished or now - timedelta(days=rng.randint(1, 20)))
        items.append(item)
    session.add_all(items)
    session.flush()
    session.add_all(LinkItem(work_link_id=link.id, work_item_id=i.id) for i in items)
    _comments(session, rng, connection, items, now, people, team_names)
    _snapshots(session, kr, measure, items, done_at, week_times)


def _done_dates(rng, total, pace, now, measure) -> list[datetime | None]:
    share_done = min(1.0, pace * 0.6 + rng.uniform(-0.05, 0.05))
    if measure == Measure.ITEM_COUNT:  # bugs: "done" means fixed, the count goes down
        share_done = min(1.0, pace * 0.55)
    dates = []
    for _ in range(total):
        dates.append(now - timedelta(days=rng.uniform(1, 55)) if rng.random() < share_done else None)
    return dates


def _comments(session, rng, connection, items, now, people, team_names) -> None:
    """A few comments per linked item from the team's people; some name the team's blockers."""
    for item in rng.sample(items, k=min(6, len(items))):
        for n in range(rng.randint(1, 3)):
            session.add(Comment(
                connection_id=connection.id, external_id=f"c{item.external_id}-{n}",
                item_external_id=item.external_id, body=_comment_text(rng, team_names),
                author=rng.choice(people), created_at=now - timedelta(days=rng.randint(1, 40),
                                                                       hours=rng.randint(0, 23))))


def _comment_text(rng, team_names) -> str:
    themes = [theme for name in team_names for theme in words.TEAM_BLOCKERS.get(name, [])]
    if themes and rng.random() < 0.3:
        return rng.choice(words.BLOCKER_THEMES[rng.choice(themes)])
    return rng.choice(words.COMMENT_PARTS)


def _value_at(kr, measure, items, done_at, at) -> float:
    done = [i for i, d in zip(items, done_at) if d is not None and d <= at]
    if measure == Measure.DONE_COUNT:
        return float(len(done))
    if measure == Measure.ITEM_COUNT:
        return float(len(items) - len(done))
    if measure == Measure.POINTS_DONE_RATIO:  # ratio measures are percentages
        return 100.0 * sum(i.estimate for i in done) / sum(i.estimate for i in items)
    return 100.0 * len(done) / len(items)


def _snapshots(session, kr, measure, items, done_at, week_times) -> None:
    span = kr.target_value - kr.start_value
    for at in week_times:
        value = _value_at(kr, measure, items, done_at, at)
        session.add(ProgressSnapshot(key_result_id=kr.id, at=at, value=value,
                                     progress=(value - kr.start_value) / span if span else 0.0))
