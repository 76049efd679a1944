"""Link previews count what a link matches at the tracker; failures come back as sentences."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from connector.errors import AuthenticationFailed, NotFound, RequestRejected
from okr_core.domain import LinkKind
from okr_core.models import Connection
from sync.ingest.link_preview import preview_link, stored_error_words, tracker_error_words


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_preview_counts_an_epics_issues_and_the_done_ones(app, db, sim, jira):
    connection = db.scalar(select(Connection).where(Connection.id == jira))
    db.expunge(connection)
    db.rollback()   # the preview caches the site's facts on the connection: leave the store free
    children = [sim.issue(k) for k in sim.keys() if sim.issue(k).epic_key == "SIM-1"]
    with app.app_context():
        result = preview_link(connection, LinkKind.EPIC, "SIM-1")
    # "Won't Do" sits in Jira's done status category, but its resolution makes it canceled.
    done = sum(1 for issue in children if issue.state == "done")
    assert (result.matches, result.done, result.error) == (len(children), done, None)
    with app.app_context():
        refused = preview_link(connection, LinkKind.JQL, "summary ~ broken(")
    assert refused.error.startswith("The tracker did not accept this:")


def test_failures_read_as_sentences_and_never_as_class_names():
    assert "credentials" in tracker_error_words(AuthenticationFailed("401"))
    assert stored_error_words("NotFound: issue X-1 does not exist") == tracker_error_words(
        NotFound("x"))
    assert stored_error_words("RequestRejected: bad JQL").endswith("bad JQL")
    assert "Error" not in stored_error_words("SomethingElse: boom")
    gone = "Epic PLAT-9 no longer exists in the tracker: this link matches nothing until restored."
    assert stored_error_words(gone) == gone   # the sync's own sentence is kept, not generalised
    assert stored_error_words(f"{RequestRejected.__name__}: x").startswith("The tracker")
