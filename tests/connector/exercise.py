"""Drive every public connector operation against the simulated tracker, to collect what is sent."""
from __future__ import annotations

import json

from connector.base import MirrorKind, MirrorSpec, TrackedScope
from connector.paging import all_items
from okr_core.domain import KRStatus, LinkKind
from tests.simtracker.data import stable_uuid


def _all_pages(read, *args) -> list:
    return list(all_items(read, *args))


def exercise_jira(connector, sim) -> None:
    """Call each Jira connector operation once (reads, mirrors, writes)."""
    connector.test_connection()
    scope = TrackedScope(containers=(sim.store.project,), parents=("SIM-1",), queries=('labels = "p1"',))
    items = _all_pages(lambda since, cursor: connector.fetch_changed(since, cursor, scope=scope), None)
    items += _all_pages(lambda since, cursor: connector.fetch_changed(since, cursor, scope=scope),
                        max(i.updated_at for i in items))
    epic = next(i for i in items if i.key == "SIM-1")
    for kind, ref in ((LinkKind.ISSUE, "SIM-2"), (LinkKind.EPIC, epic.key), (LinkKind.JQL, 'labels = "p1"'),
                      (LinkKind.MIRROR, "SIM-7")):
        _all_pages(connector.resolve_link, kind, ref)
    connector.get_items([i.external_id for i in items[:5]])
    assert connector.existing_projects([sim.store.project]) == {sim.store.project}
    connector.link_matches_item(LinkKind.JQL, 'labels = "p1"', "SIM-2")
    connector.read_discussions([i.external_id for i in items[:5]])
    _all_pages(connector.list_comments, "SIM-3")
    connector.list_blocking_relations([i.external_id for i in items[:10]])
    objective = connector.create_mirror(MirrorSpec(MirrorKind.OBJECTIVE, "o1", "Grow", "why", sim.store.project))
    spec = MirrorSpec(MirrorKind.KEY_RESULT, "k1", "ARR +20%", "target", sim.store.project, objective.key)
    kr = connector.create_mirror(spec)
    connector.update_mirror(kr, spec)
    connector.update_kr_description(kr.key, "Target 20%, now 5%")
    comment = connector.add_comment(kr.key, "Weekly check-in: 5% of 20%")
    connector.delete_comment(kr.key, comment.external_id)
    connector.add_comment("SIM-2", "Counts toward ARR +20%")
    connector.close()


def exercise_linear(connector, sim) -> None:
    """Call each Linear connector operation once (reads, mirrors, attachments, updates)."""
    connector.test_connection()
    items = _all_pages(connector.fetch_changed, None)
    with_project = next(i for i in items if i.parent_ref)
    store = sim.store
    initiative = store.initiative_id(store.issues[with_project.key].epic_key)
    for kind, ref in ((LinkKind.ISSUE, "SIM-2"), (LinkKind.PROJECT, with_project.parent_ref),
                      (LinkKind.INITIATIVE, initiative), (LinkKind.LABEL, stable_uuid("label:p1")),
                      (LinkKind.FILTER, json.dumps({"estimate": {"gte": 5}}))):
        _all_pages(connector.resolve_link, kind, ref)
    connector.get_items([i.external_id for i in items[:5]])
    _all_pages(connector.list_comments, store.issues["SIM-3"].linear_id)
    connector.list_blocking_relations([i.external_id for i in items[:10]])
    connector.read_discussions([i.external_id for i in items[:10]])
    connector.link_matches_item(LinkKind.LABEL, stable_uuid("label:p1"), items[0].external_id)
    connector.split_scope(TrackedScope())
    objective = connector.create_mirror(MirrorSpec(MirrorKind.OBJECTIVE, "o1", "Grow", "why", "team"))
    spec = MirrorSpec(MirrorKind.KEY_RESULT, "k1", "ARR +20%", "target", "team", objective.external_id)
    kr = connector.create_mirror(spec)
    connector.update_mirror(objective, MirrorSpec(MirrorKind.OBJECTIVE, "o1", "Grow more", "why", "team"))
    connector.update_mirror(kr, spec)
    attachment = connector.write_attachment(items[0].external_id, "https://okr.example/kr/k1",
                                            "ARR +20% (25%)")
    connector.remove_attachment(attachment)
    update = connector.post_status_update(kr, KRStatus.ON_TRACK, "fine")
    connector.withdraw_status_update(update)
    connector.post_status_update(objective, KRStatus.AT_RISK, "behind")
    connector.close()

