"""Embedded mode: the web process's own sweeper thread picks up deliveries nobody queued."""
from __future__ import annotations

import time

from okr_core.domain import TrackerKind
from okr_core.models import Base, Delivery
from okr_core.store import make_engine, session_scope
from tests.webhooks.intake.intake_helpers import add_connection, deliveries, fixture_delivery


def test_embedded_sweeper_thread_processes_a_delivery_left_unqueued(settings, sim, monkeypatch):
    from okrsync.app import create_app

    monkeypatch.setenv("OKRSYNC_SWEEP_INTERVAL", "0.2")
    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"TESTING": True, "EMBEDDED_RETRY_SCALE": 0.0, "WEBHOOK_SWEEPER": False,
                       "ANALYSIS_DEBOUNCE_SECONDS": 0},
                     settings=settings)
    jira_id = add_connection(app, TrackerKind.JIRA, sim.url,
                             {"email": "a@b.test", "api_token": "t"})
    body, _ = fixture_delivery(TrackerKind.JIRA, "jira_issue_updated__resolved")
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        session.add(Delivery(connection_id=jira_id, dedupe_key="unqueued", body=body,
                             event_type="jira:issue_updated"))
    sweeping = create_app({"TESTING": True, "EMBEDDED_RETRY_SCALE": 0.0, "WEBHOOK_SWEEPER": True,
                            "ANALYSIS_DEBOUNCE_SECONDS": 0},
                          settings=settings)
    try:
        deadline = time.monotonic() + 10
        while deliveries(app)[0].state != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (deliveries(app)[0].state, deliveries(app)[0].attempts) == ("done", 1)
    finally:
        sweeping.extensions["okrsync.sweeper_stop"].set()
        for each in (app, sweeping):
            each.extensions["okrsync.queue"].shutdown()
            each.extensions["okrsync.engine"].dispose()
