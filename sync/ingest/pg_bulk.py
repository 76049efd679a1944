"""PostgreSQL bulk inserts for reconcile batches: one short, fixed statement whose rows travel as
a single JSON parameter, expanded by `json_to_recordset`.

SQLAlchemy sends a many-row INSERT to psycopg as one long multi-VALUES statement, which psycopg
parses anew on every batch (it caches only statements under 4 KiB and 50 parameters); that
parsing cost about 0.1 ms per work item. A fixed statement over column arrays (`unnest`) is parsed
once, but psycopg adapts array elements one by one in Python: 500 items' columns took 40-90 ms of
the worker's CPU (labels as json[] and times as timestamptz[] the most), time the GIL takes from
the thread reading the next pages. `json.dumps` of the same rows takes about 1 ms (it is C) and
psycopg passes one string as it is; PostgreSQL reads the rows with each column's own input
function. https://www.postgresql.org/docs/current/functions-json.html (json_to_recordset)
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from okr_core import domain
from okr_core.models.base import UTCDateTime

UTC = UTCDateTime()   # the tracker_updated_at column's own check and conversion (aware, in UTC)

# Each row is a JSON object keyed by column name; json_to_recordset reads these columns from it.
WORK_ITEM_COLUMNS = (
    "external_id varchar, key varchar, title text, status_category varchar, status_name varchar, "
    "estimate float8, parent_ref varchar, labels json, assignee varchar, url varchar, "
    "tracker_updated_at timestamptz, deleted boolean")
INSERT_WORK_ITEMS = text(f"""
INSERT INTO work_items (connection_id, external_id, key, title, status_category, status_name,
                        estimate, parent_ref, labels, assignee, url, tracker_updated_at, deleted,
                        synced_at)
SELECT :connection_id, item.*, :synced_at
FROM json_to_recordset(CAST(:rows AS json)) AS item({WORK_ITEM_COLUMNS})
ON CONFLICT (connection_id, external_id) DO NOTHING
RETURNING external_id, id
""")

INSERT_LINK_ITEMS = text("""
INSERT INTO link_items (work_link_id, work_item_id)
SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS pair(work_link_id integer, work_item_id integer)
ON CONFLICT (work_link_id, work_item_id) DO NOTHING
""")

INSERT_BACKLOG = text("""
INSERT INTO discussion_backlog (connection_id, item_external_id, queued_at)
SELECT :connection_id, item_external_id, :queued_at
FROM json_array_elements_text(CAST(:external_ids AS json)) AS item_external_id
ON CONFLICT (connection_id, item_external_id) DO NOTHING
""")


def insert_work_items(session: Session, connection_id: int, items: Sequence[domain.WorkItem],
                      synced_at: datetime) -> dict[str, int]:
    """Insert items (skipping external ids the connection already has); new row ids by external id."""
    rows = [{"external_id": i.external_id, "key": i.key, "title": i.title,
             "status_category": domain.StatusCategory(i.status_category).value,
             "status_name": i.status_name, "estimate": i.estimate, "parent_ref": i.parent_ref,
             "labels": list(i.labels), "assignee": i.assignee, "url": i.url,
             "tracker_updated_at": UTC.process_bind_param(i.updated_at, None).isoformat(),
             "deleted": i.deleted} for i in items]
    return dict(session.execute(INSERT_WORK_ITEMS, {"connection_id": connection_id,
                                                    "synced_at": synced_at,
                                                    "rows": json.dumps(rows)}).all())


def insert_link_items(session: Session, pairs: Sequence[tuple[int, int]]) -> None:
    """Insert (work link, work item) memberships; pairs already stored are left alone."""
    session.execute(INSERT_LINK_ITEMS, {"rows": json.dumps(
        [{"work_link_id": link, "work_item_id": item} for link, item in pairs])})


def insert_backlog(session: Session, connection_id: int, external_ids: Sequence[str],
                   queued_at: datetime) -> None:
    """Queue items for discussion mining; items already waiting keep their place."""
    session.execute(INSERT_BACKLOG, {"connection_id": connection_id, "queued_at": queued_at,
                                     "external_ids": json.dumps(list(external_ids))})
