"""Tracker text holds no U+0000: PostgreSQL cannot store it, and one such character in a title
would fail the whole page (or delivery) that carries it."""
from __future__ import annotations

from datetime import datetime, timezone

from okr_core.domain import BlockingRelation, Comment, StatusCategory, WorkItem, without_nul

T0 = datetime(2026, 11, 2, tzinfo=timezone.utc)


def test_without_nul_drops_only_that_character():
    assert without_nul("Ship\x00 the\x00 app") == "Ship the app"
    assert without_nul("tab\tand newline\n stay") == "tab\tand newline\n stay"
    assert without_nul(None) is None and without_nul(3) == 3


def test_a_work_item_keeps_its_text_without_nul():
    item = WorkItem(external_id="1\x000", key="SIM-\x001", title="Fix\x00 login", status_category=StatusCategory.DONE,
                    updated_at=T0, parent_ref="SIM-\x000", labels=("p\x001", "ok"), assignee="acc\x00",
                    url="https://x.example/\x00", status_name="Do\x00ne")
    assert (item.external_id, item.key, item.title, item.parent_ref, item.labels, item.assignee, item.url,
            item.status_name) == ("10", "SIM-1", "Fix login", "SIM-0", ("p1", "ok"), "acc",
                                  "https://x.example/", "Done")


def test_clean_text_is_left_as_it_came():
    labels = ("a", "b")
    item = WorkItem(external_id="1", key="SIM-1", title="Fine", status_category=StatusCategory.TODO,
                    updated_at=T0, labels=labels)
    assert item.labels is labels and item.title == "Fine"


def test_comments_and_relations_drop_nul_too():
    comment = Comment(external_id="c\x001", item_external_id="1\x00", body="Blocked\x00 on review",
                      author="ann\x00", created_at=T0)
    assert (comment.external_id, comment.item_external_id, comment.body, comment.author) == (
        "c1", "1", "Blocked on review", "ann")
    relation = BlockingRelation("1\x00", "\x002")
    assert (relation.blocker_external_id, relation.blocked_external_id) == ("1", "2")
