"""Per-batch link loading (sync.ingest.batch_links), on SQLite and PostgreSQL: a batch is planned
with the links that may match its items and those its stored items count, and plans exactly as
with every link of the connection; a pass never holds more than one batch's links."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine

from okr_core.domain import LinkKind, StatusCategory, TrackerKind, WorkItem
from okr_core.membership import folded_ref
from okr_core.models import WorkLink
from sync.ingest import batch_links
from sync.ingest.apply import ingest, load_stored
from sync.ingest.batch_links import PassLinks, folded_values
from sync.ingest.plan import LinkIndex, LinkView, PassState, plan_delivery_items, plan_page
from sync.reconcile.passes import reconcile_connection
from tests.sync.sync_world import epic_children, expected_ratio

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
LABEL_ID = "0b4e6a52-6f8e-4c1e-9a57-3f0b2d6c9e11"
# (kind, ref): which items of the batch below each may match, and how.
LINKS = {
    "key in another case": (LinkKind.ISSUE, " eng-1 "),
    "id exactly": (LinkKind.ISSUE, "uuid-2"),
    "id in another case": (LinkKind.ISSUE, "UUID-2"),         # found by its folded ref, no match
    "project": (LinkKind.PROJECT, "Proj-A"),
    "old project": (LinkKind.PROJECT, "proj-old"),            # item 3 counts toward it, then leaves
    "label folded": (LinkKind.LABEL, "Straße"),               # matches STRASSE (SQL lower() would not)
    "label non-ASCII": (LinkKind.LABEL, "ÄPFEL"),
    "label by id": (LinkKind.LABEL, LABEL_ID),                # only the tracker decides
    "filter": (LinkKind.FILTER, '{"state": {"type": {"eq": "started"}}}'),
    "other issue": (LinkKind.ISSUE, "ENG-99"),
    "other project": (LinkKind.PROJECT, "proj-z"),
    "other label": (LinkKind.LABEL, "pears"),
}


def item(n: int, minutes: int, parent: str | None, labels: tuple[str, ...] = (),
         deleted: bool = False) -> WorkItem:
    return WorkItem(external_id=f"uuid-{n}", key=f"ENG-{n}", title=f"Issue {n}",
                    status_category=StatusCategory.TODO, updated_at=T0 + timedelta(minutes=minutes),
                    parent_ref=parent, labels=labels, deleted=deleted)


def every_link(session, connection: int) -> LinkIndex:
    """What planning used before: an index of every link of the connection."""
    rows = session.execute(select(WorkLink.id, WorkLink.key_result_id, WorkLink.kind, WorkLink.ref)
                           .where(WorkLink.connection_id == connection))
    return LinkIndex([LinkView(*row) for row in rows])


def arrange(sync_world) -> tuple[int, dict[str, int]]:
    connection = sync_world.connection(TrackerKind.LINEAR, "http://linear.invalid")
    other = sync_world.connection(TrackerKind.LINEAR, "http://other.invalid")
    links = {name: sync_world.link(sync_world.key_result(sync_world.objective()), connection, kind, ref)
             for name, (kind, ref) in LINKS.items()}
    sync_world.link(sync_world.key_result(sync_world.objective()), other, LinkKind.ISSUE, "ENG-1")
    return connection, links


FIRST = [item(1, 0, None), item(2, 0, None), item(3, 0, "PROJ-OLD"), item(4, 0, None)]
SECOND = [item(1, 5, None), item(2, 5, "proj-a", ("STRASSE",)), item(3, 5, "PROJ-A", ("äpfel",)),
          item(4, 5, None, (LABEL_ID.upper(),))]


def test_a_batch_plans_as_with_every_link_and_loads_only_what_may_match(app, sync_world):
    connection, links = arrange(sync_world)
    with sync_world.scope() as session:
        stored = load_stored(session, connection, [i.external_id for i in FIRST])
        ingest(session, connection, plan_page(PassState(False), FIRST, stored,
                                              every_link(session, connection), True), stored)
    members = {name: sync_world.members(link_id) for name, link_id in links.items()}
    assert {name: keys for name, keys in members.items() if keys} == {   # members by key
        "key in another case": {"ENG-1"}, "id exactly": {"ENG-2"}, "old project": {"ENG-3"}}
    with sync_world.scope() as session:
        stored = load_stored(session, connection, [i.external_id for i in SECOND])
        batch = PassLinks.load(session, connection).for_batch(session, SECOND, stored)
        whole = every_link(session, connection)
        assert plan_page(PassState(False), SECOND, stored, batch, True) == \
            plan_page(PassState(False), SECOND, stored, whole, True)
        gone = {"uuid-3": T0 + timedelta(hours=1)}
        assert plan_delivery_items(SECOND[:2], gone, stored, batch) == \
            plan_delivery_items(SECOND[:2], gone, stored, whole)
        plan = plan_page(PassState(False), SECOND, stored, batch, True)
    # The links the batch could need, none besides (nor the other connection's ENG-1 link).
    unrelated = {links[name] for name in ("other issue", "other project", "other label")}
    assert set(batch.by_id) == set(links.values()) - unrelated
    assert batch.tracker_scopes == {(str(LinkKind.LABEL), LABEL_ID),
                                    (str(LinkKind.FILTER), LINKS["filter"][1])}
    named = {link_id: name for name, link_id in links.items()}
    assert {(named[link_id], ext) for link_id, ext in plan.member_adds} == {
        ("project", "uuid-2"), ("project", "uuid-3"), ("label folded", "uuid-2"), ("label non-ASCII", "uuid-3")}
    assert {(named[link_id], ext) for link_id, ext in plan.member_removes} == {("old project", "uuid-3")}


def test_links_of_stored_items_are_loaded_by_id_when_nothing_in_the_batch_names_them(app, sync_world):
    connection, links = arrange(sync_world)
    with sync_world.scope() as session:
        stored = load_stored(session, connection, ["uuid-3"])
        ingest(session, connection, plan_page(PassState(False), FIRST[2:3], stored,
                                              every_link(session, connection), True), stored)
    with sync_world.scope() as session:
        stored = load_stored(session, connection, ["uuid-3"])
        # A deletion check: no item, only the stored row and its memberships.
        batch = PassLinks.load(session, connection).for_batch(session, (), stored)
    assert set(batch.by_id) == {links["old project"], links["label by id"], links["filter"]}


def test_a_link_gets_its_folded_ref_however_it_is_inserted(app, sync_world):
    connection, _ = arrange(sync_world)
    kr = sync_world.key_result(sync_world.objective())
    orm = sync_world.link(kr, connection, LinkKind.LABEL, " Straße ")
    with sync_world.scope() as session:
        session.execute(insert(WorkLink).values(key_result_id=kr, connection_id=connection,
                                                kind=LinkKind.LABEL, ref="ÄPFEL"))
        folded = dict(session.execute(select(WorkLink.ref, WorkLink.match_ref)
                                      .where(WorkLink.key_result_id == kr)).all())
        assert folded == {" Straße ": "strasse", "ÄPFEL": "äpfel"}
        session.get(WorkLink, orm).ref = "Pears"   # a ref changed later is folded again
    with sync_world.scope() as session:
        assert session.get(WorkLink, orm).match_ref == "pears"


def test_a_pass_holds_one_batchs_links_at_a_time(app, sim, sync_world, monkeypatch):
    """300 issues in batches of 50, every epic linked: each batch's index holds the links of the
    epics its items belong to, and the pass counts as the epic links say."""
    jira = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50, reconcile_batch_items=50)
    epics = sorted({i.epic_key for i in sim.store.live() if i.epic_key})
    krs = {epic: sync_world.linked_kr(jira, LinkKind.EPIC, epic) for epic in epics}
    indexes: list[tuple[set[str], set[int]]] = []
    real = PassLinks.for_batch

    def recorded(self, session, items, stored):
        items = list(items)
        index = real(self, session, items, stored)
        indexes.append((set(folded_values(items)), set(index.by_id)))
        return index
    monkeypatch.setattr(PassLinks, "for_batch", recorded)
    link_statements = []

    def record(_conn, _cursor, statement, *_):
        if "FROM work_links" in statement:
            link_statements.append(statement)
    event.listen(Engine, "before_cursor_execute", record)
    try:
        with app.app_context():
            counts = reconcile_connection(jira)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert counts.batches == len(indexes) == 300 // 50
    refs = {link.id: folded_ref(link.ref) for link in sync_world.links(jira)}
    for values, held in indexes:
        assert held == {link_id for link_id, ref in refs.items() if ref in values}
        assert len(held) < len(refs) / 2
    # While the pages are read, links are read one batch's at a time by folded ref (the items are
    # new: none by id), or by key result for a recount while waiting: never the connection's whole.
    by_ref = [n for n, statement in enumerate(link_statements) if "match_ref" in statement]
    assert len(by_ref) == counts.batches
    during = link_statements[by_ref[0]:by_ref[-1]]
    assert all("match_ref" in statement or "WHERE work_links.key_result_id" in statement
               for statement in during), during
    for epic, kr in krs.items():
        row = sync_world.kr(kr)
        assert (row.items_done, row.items_total) == expected_ratio(sim, epic_children(sim, epic))
