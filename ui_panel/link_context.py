"""The KR page's Link work section: the link form, the links and the items behind them."""
from __future__ import annotations

import re

from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from okr_core.domain import LinkKind
from okr_core.models import Connection, KeyResult, LinkItem, User, WorkItem, WorkLink
from plumbing.db import request_session
from ui_panel.field_words import PageForm
from ui_panel.sync_words import tracker_name

KINDS = [
    SelectChoice(LinkKind.ISSUE.value, "One issue (Jira key such as ENG-12, or Linear id)"),
    SelectChoice(LinkKind.EPIC.value, "Jira epic: its child issues"),
    SelectChoice(LinkKind.JQL.value, "Jira JQL query"),
    SelectChoice(LinkKind.PROJECT.value, "Linear project"),
    SelectChoice(LinkKind.INITIATIVE.value, "Linear initiative"),
    SelectChoice(LinkKind.LABEL.value, "Linear label"),
    SelectChoice(LinkKind.FILTER.value, "Linear custom filter (IssueFilter JSON)"),
]
# A stored link's kind in a few words (tables of links, /admin's failed links).
LINK_KIND_WORDS = {
    LinkKind.ISSUE.value: "One issue", LinkKind.EPIC.value: "Jira epic", LinkKind.JQL.value: "Jira JQL query",
    LinkKind.MIRROR.value: "Issues linked to the mirror", LinkKind.PROJECT.value: "Linear project",
    LinkKind.INITIATIVE.value: "Linear initiative", LinkKind.LABEL.value: "Linear label",
    LinkKind.FILTER.value: "Linear custom filter",
}


class LinkForm(PageForm):
    connection_id = SelectField("Tracker connection", coerce=int, validate_choice=False)
    kind = SelectField("What to link", choices=KINDS, default=LinkKind.ISSUE.value)
    ref = StringField("Key, id, name or query")

    def offer(self, session) -> None:
        rows = session.execute(select(Connection.id, Connection.name, Connection.tracker)
                               .order_by(Connection.name)).all()
        self.connection_id.choices = [(i, f"{name} ({tracker_name(tracker)})") for i, name, tracker in rows]

    def api_body(self) -> dict:
        return {"connection_id": self.connection_id.data, "kind": self.kind.data,
                "ref": self.ref.data or ""}


def work_context(kr: KeyResult, form: LinkForm | None = None) -> dict:
    """The KR page's Link work section: its links, the items behind them, the form."""
    session = request_session()
    form = form or LinkForm(formdata=None)
    form.offer(session)
    links = session.execute(select(WorkLink, Connection.name).join(
        Connection, Connection.id == WorkLink.connection_id)
        .where(WorkLink.key_result_id == kr.id).order_by(WorkLink.id)).all()
    # IN rather than DISTINCT: PostgreSQL cannot compare the JSON labels column.
    linked_ids = (select(LinkItem.work_item_id)
                  .join(WorkLink, WorkLink.id == LinkItem.work_link_id)
                  .where(WorkLink.key_result_id == kr.id))
    items = session.scalars(select(WorkItem).where(
        WorkItem.id.in_(linked_ids), WorkItem.deleted.is_(False))).all()
    items = sorted(items, key=lambda i: [int(p) if p.isdigit() else p
                                         for p in re.split(r"(\d+)", i.key)])
    return {"links": links, "linked_items": items, "link_form": form,
            "assignees": _assignee_names(session, items),
            "resolving": any(link.resolved_at is None and not link.last_error
                             for link, _name in links)}


def _assignee_names(session, items) -> dict[str, str]:
    """Tracker account ids as the names of the people they belong to, where known."""
    ids = sorted({i.assignee for i in items if i.assignee})
    if not ids:
        return {}
    names = {}
    for user in session.scalars(select(User).where(
            User.jira_account_id.in_(ids) | User.linear_user_id.in_(ids))):
        names[user.jira_account_id or ""] = names[user.linear_user_id or ""] = user.name
    return names
