"""The demo reads like a company: owners check in, in varied words, blockers recur across teams."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from okr_core.models import CheckIn, Comment, KeyResult, Objective, User
from okr_core.value_format import value_style
from okrsync.demo import DEMO_ADMIN_EMAIL
from ui_panel.scores import recurring_blockers


def test_check_ins_come_from_each_krs_owner_in_varied_words(db, demo):
    rows = db.execute(select(CheckIn, KeyResult.owner_id)
                      .join(KeyResult, KeyResult.id == CheckIn.key_result_id)).all()
    admin = db.scalar(select(User.id).where(User.email == DEMO_ADMIN_EMAIL))
    assert rows and all(check_in.author_id == owner for check_in, owner in rows)
    authors = {check_in.author_id for check_in, _ in rows}
    assert len(authors) >= 12 and admin not in authors
    notes = Counter(check_in.note for check_in, _ in rows)
    assert notes.most_common(1)[0][1] <= 2
    blockers = Counter(check_in.blockers for check_in, _ in rows if check_in.blockers)
    assert blockers.most_common(1)[0][1] <= 8


def test_a_few_blockers_recur_in_different_words_across_teams(db, demo):
    rows = db.execute(select(CheckIn.id, CheckIn.blockers, Objective.team_id)
                      .join(KeyResult, KeyResult.id == CheckIn.key_result_id)
                      .join(Objective, Objective.id == KeyResult.objective_id)
                      .where(CheckIn.blockers != "")).all()
    text_of = {str(row.id): row.blockers for row in rows}
    team_of = {str(row.id): row.team_id for row in rows}
    groups = recurring_blockers(list(text_of.items()), limit=10)
    across_teams = [g for g in groups
                    if len({team_of[source] for source in g.source_ids}) >= 2
                    and len({text_of[source] for source in g.source_ids}) >= 2]
    assert len(across_teams) >= 3, [g.phrase for g in groups]


def test_linked_work_has_comments_from_people_and_counts_are_whole(db, demo):
    comments = db.scalars(select(Comment)).all()
    assert len(comments) >= 50 and all(c.author and c.author != "demo" for c in comments)
    assert len({c.author for c in comments}) >= 8
    for kr in db.scalars(select(KeyResult)):
        style = value_style(kr.unit, kr.measure, kr.start_value, kr.target_value)
        if style.kind == "count" and kr.current_value is not None:
            assert float(kr.current_value).is_integer(), kr.title
            values = db.scalars(select(CheckIn.value).where(CheckIn.key_result_id == kr.id))
            assert all(v is None or float(v).is_integer() for v in values), kr.title
