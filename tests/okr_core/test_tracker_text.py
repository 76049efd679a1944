"""Tracker text holds no U+0000 and no lone surrogate: PostgreSQL cannot store the first, no UTF-8
store can encode the second, and one such character in a title would fail the whole page (or
delivery) that carries it."""
from __future__ import annotations

from datetime import datetime, timezone

from okr_core.domain import BlockingRelation, Comment, StatusCategory, WorkItem, storable_text

T0 = datetime(2026, 11, 2, tzinfo=timezone.utc)


def test_storable_text_drops_nul_and_nothing_else():
    assert storable_text("Ship\x00 the\x00 app") == "Ship the app"
    assert storable_text("tab\tand newline\n stay") == "tab\tand newline\n stay"
    assert storable_text(None) is None and storable_text(3) == 3


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


def test_a_lone_surrogate_becomes_the_replacement_character():
    assert storable_text("odd \ud800 half") == "odd \ufffd half"
    assert storable_text("\udfff\x00end") == "\ufffdend"
    assert storable_text("caf\u00e9 \U0001f600") == "caf\u00e9 \U0001f600"   # whole characters stay


def test_tracker_records_replace_lone_surrogates():
    item = WorkItem(external_id="1", key="SIM-1", title="Fix \ud83d login", status_category=StatusCategory.DONE,
                    updated_at=T0, labels=("ok", "p\udc00"))
    comment = Comment(external_id="c1", item_external_id="1", body="Blocked \ud800", author=None,
                      created_at=T0)
    assert (item.title, item.labels, comment.body) == ("Fix \ufffd login", ("ok", "p\ufffd"),
                                                       "Blocked \ufffd")
