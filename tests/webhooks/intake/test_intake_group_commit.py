"""Intake's group commit against the real stores and Redis: one batch holding new rows, a copy,
an ignored event and a row the store refuses; requests posted at once each get their own answer."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from okr_core.domain import TrackerKind
from plumbing.group_commit import GroupCommit
from plumbing.handoff import HANDOFF_KEY
from plumbing.handoff_pusher import wait_for_hand_offs
from tests.conftest import REDIS_URL
from tests.webhooks.intake.intake_helpers import (
    add_connection, as_issue, deliveries, fixture_delivery, post,
)
from webhooks.intake_store import (
    GATHER_SECONDS, MAX_BATCH, StoreUnavailable, _store_batch,
    intake_writer,
)

JIRA = TrackerKind.JIRA
RESOLVED = "jira_issue_updated__resolved"
NO_SUCH_CONNECTION = 987654


def row(connection_id: int, key: str, handled: bool = True) -> dict:
    now = datetime.now(timezone.utc)
    return dict(connection_id=connection_id, dedupe_key=key, event_type="jira:issue_updated",
                body=b'{"webhookEvent": "jira:issue_updated"}',
                state="pending" if handled else "ignored", attempts=0, received_at=now,
                enqueued_at=now if handled else None)


def connection_of(app) -> int:
    return add_connection(app, JIRA, "https://93.184.216.34",
                          {"email": "a@b.test", "api_token": "t"})


def test_one_batch_stores_each_row_once_and_hands_off_only_the_new_handled_ones(make_app, redis_db):
    app = make_app(REDIS_URL)
    connection_id = connection_of(app)
    with app.app_context():
        [earlier] = _store_batch([row(connection_id, "stored-before")])
        outcomes = _store_batch([
            row(connection_id, "new"), row(NO_SUCH_CONNECTION, "refused"),
            row(connection_id, "new"), row(connection_id, "stored-before"),
            row(connection_id, "ignored-event", handled=False), row(connection_id, "also-new")])
        assert wait_for_hand_offs()
    new, refused, copy, repeat, ignored, also_new = outcomes
    assert isinstance(refused, StoreUnavailable)   # its batch-mates were stored all the same
    assert (copy, repeat) == (None, None)
    stored = {d.dedupe_key: (d.id, d.state) for d in deliveries(app)}
    assert stored == {"stored-before": (earlier, "pending"), "new": (new, "pending"),
                      "ignored-event": (ignored, "ignored"), "also-new": (also_new, "pending")}
    handed_off = [int(i) for i in redis_db.lrange(HANDOFF_KEY, 0, -1)]
    assert handed_off == [earlier, new, also_new]


def test_a_batch_redis_refused_is_stored_unstamped_for_the_next_sweep(make_app, redis_db):
    app = make_app("redis://127.0.0.1:6390/15")  # nothing listens there
    connection_id = connection_of(app)
    with app.app_context():
        outcomes = _store_batch([row(connection_id, "a"), row(connection_id, "b")])
        assert wait_for_hand_offs()
    assert all(isinstance(outcome, int) for outcome in outcomes)
    assert [(d.state, d.enqueued_at) for d in deliveries(app)] == [("pending", None)] * 2


def test_deliveries_and_copies_posted_at_once_are_each_answered_for_their_own_row(
        make_app, redis_db):
    app = make_app(REDIS_URL)
    connection_id = connection_of(app)
    batch_sizes = []

    def recorded(batch):
        batch_sizes.append(len(batch))
        return _store_batch(batch)

    app.extensions["okrsync.intake_writer"] = GroupCommit(recorded, MAX_BATCH)
    count, barrier = 16, threading.Barrier(16)
    sent = [fixture_delivery(JIRA, RESOLVED, f"at-once-{n % 12}", as_issue(n % 12))
            for n in range(count)]   # the last four repeat the first four

    def send(index):
        body, headers = sent[index]
        client = app.test_client()
        barrier.wait()
        return post(client, "jira", connection_id, body, headers)

    with ThreadPoolExecutor(count) as pool:
        answers = [answer.get_json() for answer in pool.map(send, range(count))]
    with app.app_context():
        assert wait_for_hand_offs()
    accepted = [a["delivery_id"] for a in answers if a["status"] == "accepted"]
    assert sorted(a["status"] for a in answers) == ["accepted"] * 12 + ["duplicate"] * 4
    stored = {d.dedupe_key: d.id for d in deliveries(app)}
    assert sorted(stored) == sorted(f"at-once-{n}" for n in range(12))
    assert sorted(accepted) == sorted(stored.values())
    assert sorted(int(i) for i in redis_db.lrange(HANDOFF_KEY, 0, -1)) == sorted(accepted)
    assert sum(batch_sizes) == count and max(batch_sizes) > 1, batch_sizes


def test_two_batches_in_flight_with_the_same_keys_store_and_hand_off_each_row_once(
        make_app, redis_db):
    """Both INSERTs run at once (each waits for the other to start before going on): a key in
    both is stored by one and answered as a duplicate by the other; nothing lost or doubled."""
    app = make_app(REDIS_URL)
    if app.extensions["okrsync.engine"].dialect.name != "postgresql":
        pytest.skip("SQLite writes one batch at a time")
    connection_id = connection_of(app)
    both_started = threading.Barrier(2)

    def flush_together(batch):
        both_started.wait(10)
        return _store_batch(batch)

    app.extensions["okrsync.intake_writer"] = GroupCommit(flush_together, MAX_BATCH, in_flight=2)

    def store(key):
        with app.app_context():
            return app.extensions["okrsync.intake_writer"].submit(row(connection_id, key))

    rounds = 20
    with ThreadPoolExecutor(2) as pool:
        outcomes = [list(pool.map(store, [f"same-{n}", f"same-{n}"])) for n in range(rounds)]
    with app.app_context():
        assert wait_for_hand_offs()
    for pair in outcomes:
        assert sorted(pair, key=lambda outcome: outcome is None)[1] is None, pair
        assert isinstance(next(o for o in pair if o is not None), int), pair
    stored = {d.dedupe_key: d.id for d in deliveries(app)}
    assert sorted(stored) == sorted(f"same-{n}" for n in range(rounds))
    assert sorted(stored.values()) == sorted(o for pair in outcomes for o in pair if o is not None)
    assert sorted(int(i) for i in redis_db.lrange(HANDOFF_KEY, 0, -1)) == sorted(stored.values())


def test_a_delivery_being_verified_is_written_in_the_same_insert_as_one_ready_before_it(
        make_app, redis_db):
    """The first delivery is held inside intake (its clock waits) while a second one reaches the
    write: that write waits for the first, and both rows go in one INSERT."""
    app = make_app(REDIS_URL)
    connection_id = connection_of(app)
    real_writer = intake_writer_of(app)
    assert real_writer._gather_seconds == GATHER_SECONDS > 0
    batches = []

    def recorded(batch):
        batches.append([values["dedupe_key"] for values in batch])
        return _store_batch(batch)

    writer = GroupCommit(recorded, MAX_BATCH, real_writer._in_flight, gather_seconds=10)
    app.extensions["okrsync.intake_writer"] = writer
    held, release = threading.Event(), threading.Event()

    def clock():
        if threading.current_thread().name == "held":
            held.set()
            assert release.wait(10)
        return datetime.now(timezone.utc)

    app.config["WEBHOOK_CLOCK"] = clock
    answers = {}

    def send(key):
        body, headers = fixture_delivery(JIRA, RESOLVED, key, as_issue(len(key)))
        answers[key] = post(app.test_client(), "jira", connection_id, body, headers)

    slow = threading.Thread(target=send, args=("held-delivery",), name="held")
    slow.start()
    assert held.wait(10)
    ready = threading.Thread(target=send, args=("ready-delivery",))
    ready.start()
    wait_until_gathering(writer)
    release.set()
    slow.join(10)
    ready.join(10)
    assert {key: answer.status_code for key, answer in answers.items()} == {
        "held-delivery": 200, "ready-delivery": 200}
    assert batches == [["ready-delivery", "held-delivery"]]
    assert sorted(d.dedupe_key for d in deliveries(app)) == ["held-delivery", "ready-delivery"]
    assert writer._arriving == 0


def intake_writer_of(app) -> GroupCommit:
    with app.app_context():
        return intake_writer()


def wait_until_gathering(writer: GroupCommit) -> None:
    for _ in range(10_000):
        if writer._gathering:
            return
        threading.Event().wait(0.001)
    raise AssertionError("the write never waited for the held delivery")
