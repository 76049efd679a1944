"""Parse-and-verify: every rejection has its own exception, HTTP status and log key."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
from tests.webhooks.webhook_signing import TEST_SECRET, fixture_body, sent_at, signed_headers

from okr_core.domain import TrackerKind
from webhooks.errors import (
    BodyTooLarge,
    DeliveryRejected,
    NotAnObject,
    NotJSON,
    SecretNotConfigured,
    SignatureMismatch,
    SignatureMissing,
    StaleTimestamp,
)
from webhooks.events import MAX_BODY_BYTES, expected_signature, parse_delivery

JIRA, LINEAR = TrackerKind.JIRA, TrackerKind.LINEAR
JIRA_BODY = fixture_body(JIRA, "jira_issue_updated__resolved")
LINEAR_BODY = fixture_body(LINEAR, "issue__update")
JIRA_NOW = sent_at(JIRA, JIRA_BODY) + timedelta(seconds=1)
LINEAR_SENT = sent_at(LINEAR, LINEAR_BODY)
BODIES = {JIRA: (JIRA_BODY, JIRA_NOW), LINEAR: (LINEAR_BODY, LINEAR_SENT)}
both_trackers = pytest.mark.parametrize("tracker", [JIRA, LINEAR])


def parse_signed(tracker, body, now, headers=None):
    return parse_delivery(tracker, headers or signed_headers(tracker, body), body, TEST_SECRET, now)


@both_trackers
def test_missing_signature_with_secret_configured_is_401(tracker):
    body, now = BODIES[tracker]
    with pytest.raises(SignatureMissing) as caught:
        parse_delivery(tracker, {}, body, TEST_SECRET, now)
    assert caught.value.status == 401
    assert caught.value.log_key == f"webhooks.{tracker}.signature-missing"


@both_trackers
def test_signature_made_with_another_secret_is_a_mismatch(tracker):
    body, now = BODIES[tracker]
    headers = {"X-Hub-Signature" if tracker is JIRA else "Linear-Signature":
               expected_signature(tracker, body, "someone-elses-secret")}
    with pytest.raises(SignatureMismatch) as caught:
        parse_delivery(tracker, headers, body, TEST_SECRET, now)
    assert caught.value.status == 401
    assert caught.value.log_key == f"webhooks.{tracker}.signature-mismatch"


@both_trackers
def test_signature_present_without_configured_secret_is_401(tracker):
    body, now = BODIES[tracker]
    with pytest.raises(SecretNotConfigured) as caught:
        parse_delivery(tracker, signed_headers(tracker, body), body, None, now)
    assert caught.value.status == 401
    assert caught.value.log_key == f"webhooks.{tracker}.secret-not-configured"


@both_trackers
def test_unsigned_delivery_without_secret_is_refused(tracker):
    body, now = BODIES[tracker]
    with pytest.raises(SecretNotConfigured) as caught:
        parse_delivery(tracker, {}, body, None, now)
    assert caught.value.status == 401


def test_tampered_body_fails_even_by_one_byte():
    headers = signed_headers(JIRA, JIRA_BODY)
    tampered = JIRA_BODY.replace(b'"done"', b'"dona"', 1)
    with pytest.raises(SignatureMismatch):
        parse_delivery(JIRA, headers, tampered, TEST_SECRET, JIRA_NOW)


def test_jira_signature_without_sha256_prefix_is_a_mismatch():
    bare_hex = expected_signature(JIRA, JIRA_BODY, TEST_SECRET).removeprefix("sha256=")
    with pytest.raises(SignatureMismatch):
        parse_delivery(JIRA, {"X-Hub-Signature": bare_hex}, JIRA_BODY, TEST_SECRET, JIRA_NOW)


def test_non_ascii_signature_header_is_a_mismatch_not_a_crash():
    with pytest.raises(SignatureMismatch):
        parse_delivery(JIRA, {"X-Hub-Signature": "sha256=é"}, JIRA_BODY, TEST_SECRET, JIRA_NOW)


def test_signature_is_checked_before_the_body_is_decoded():
    with pytest.raises(SignatureMismatch):
        parse_delivery(JIRA, {"X-Hub-Signature": "sha256=00"}, b"not json", TEST_SECRET, JIRA_NOW)


@both_trackers
@pytest.mark.parametrize("spell", [str.lower, str.upper], ids=["lower", "upper"])
def test_headers_are_matched_case_insensitively(tracker, spell):
    body, now = BODIES[tracker]
    headers = {spell(name): value for name, value in
               signed_headers(tracker, body, delivery_id="Delivery-ABC").items()}
    assert parse_signed(tracker, body, now, headers).dedupe_key == "Delivery-ABC"


@pytest.mark.parametrize(
    "offset", [timedelta(seconds=61), timedelta(seconds=-61)], ids=["stale", "future"]
)
def test_linear_timestamp_more_than_60_s_from_now_is_401(offset):
    with pytest.raises(StaleTimestamp) as caught:
        parse_signed(LINEAR, LINEAR_BODY, LINEAR_SENT + offset)
    assert (caught.value.status, caught.value.log_key) == (401, "webhooks.linear.stale-timestamp")


@pytest.mark.parametrize(
    "offset", [timedelta(seconds=60), timedelta(seconds=-60)], ids=["late", "early"]
)
def test_linear_timestamp_exactly_60_s_away_is_accepted(offset):
    assert parse_signed(LINEAR, LINEAR_BODY, LINEAR_SENT + offset).event_type == "Issue.update"


def test_linear_timestamp_comes_from_the_signed_body_not_a_header():
    headers = signed_headers(LINEAR, LINEAR_BODY)
    headers["Linear-Timestamp"] = str(int((LINEAR_SENT + timedelta(hours=1)).timestamp() * 1000))
    with pytest.raises(StaleTimestamp):
        parse_delivery(LINEAR, headers, LINEAR_BODY, TEST_SECRET, LINEAR_SENT + timedelta(hours=1))


def test_linear_body_without_timestamp_is_rejected_as_stale():
    payload = json.loads(LINEAR_BODY)
    del payload["webhookTimestamp"]
    body = json.dumps(payload).encode()
    with pytest.raises(StaleTimestamp):
        parse_signed(LINEAR, body, LINEAR_SENT)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe{}", b'{"value": NaN}', b""],
                         ids=["broken", "not-utf8", "nan", "empty"])
def test_signed_body_that_is_not_json_is_400(body):
    with pytest.raises(NotJSON) as caught:
        parse_signed(JIRA, body, JIRA_NOW)
    assert (caught.value.status, caught.value.log_key) == (400, "webhooks.jira.not-json")


@pytest.mark.parametrize(
    "body",
    [b'[{"webhookEvent": "jira:issue_updated"}]', b'"jira:issue_updated"', b"42"],
    ids=["list", "string", "number"],
)
def test_signed_json_that_is_not_an_object_is_400(body):
    with pytest.raises(NotAnObject) as caught:
        parse_signed(JIRA, body, JIRA_NOW)
    assert (caught.value.status, caught.value.log_key) == (400, "webhooks.jira.not-an-object")


def padded_object(size: int) -> bytes:
    """A JSON object padded with trailing whitespace to exactly `size` bytes."""
    core = b'{"webhookEvent": "jira:issue_updated"}'
    return core + b" " * (size - len(core))


def test_body_over_5_mib_is_413_before_any_other_check():
    body = padded_object(MAX_BODY_BYTES + 1)
    with pytest.raises(BodyTooLarge) as caught:
        parse_delivery(JIRA, {}, body, TEST_SECRET, JIRA_NOW)
    assert (caught.value.status, caught.value.log_key) == (413, "webhooks.jira.body-too-large")


def test_body_of_exactly_5_mib_passes_the_size_check():
    body = padded_object(5 * 1024 * 1024)
    assert parse_signed(JIRA, body, JIRA_NOW).event_type == "jira:issue_updated"


def test_every_rejection_is_a_delivery_rejected_with_its_message():
    with pytest.raises(DeliveryRejected) as caught:
        parse_delivery(JIRA, {}, JIRA_BODY, TEST_SECRET, JIRA_NOW)
    assert "X-Hub-Signature" in caught.value.message


def test_dedupe_key_comes_from_the_delivery_header():
    headers = signed_headers(JIRA, JIRA_BODY, delivery_id="0b5d3f1c-retry-safe-id")
    assert parse_signed(JIRA, JIRA_BODY, JIRA_NOW, headers).dedupe_key == "0b5d3f1c-retry-safe-id"


@pytest.mark.parametrize("delivery_id", [None, "  "], ids=["absent", "blank"])
def test_dedupe_key_falls_back_to_sha256_of_the_body(delivery_id):
    headers = signed_headers(LINEAR, LINEAR_BODY, delivery_id=delivery_id)
    delivery = parse_signed(LINEAR, LINEAR_BODY, LINEAR_SENT, headers)
    assert delivery.dedupe_key == hashlib.sha256(LINEAR_BODY).hexdigest()


def test_delivery_records_receipt_and_tracker_time_in_utc():
    now = datetime(2019, 2, 16, 4, 15, 41, tzinfo=timezone(timedelta(hours=1)))
    delivery = parse_signed(JIRA, JIRA_BODY, now)
    assert delivery.received_at == now and delivery.received_at.tzinfo is timezone.utc
    assert delivery.occurred_at == datetime(2019, 2, 16, 3, 15, 40, 507000, tzinfo=timezone.utc)


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_signed(JIRA, JIRA_BODY, JIRA_NOW.replace(tzinfo=None))


@pytest.mark.parametrize("spelling", ["millis", "iso"])
def test_linear_timestamp_is_read_as_milliseconds_or_as_an_iso_8601_string(spelling):
    payload = json.loads(LINEAR_BODY)
    stamp = int(LINEAR_SENT.timestamp() * 1000)
    payload["webhookTimestamp"] = stamp if spelling == "millis" else \
        LINEAR_SENT.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    body = json.dumps(payload).encode()
    delivery = parse_signed(LINEAR, body, LINEAR_SENT + timedelta(seconds=30))
    assert abs(delivery.occurred_at - LINEAR_SENT) < timedelta(seconds=1)
    with pytest.raises(StaleTimestamp):
        parse_signed(LINEAR, body, LINEAR_SENT + timedelta(seconds=61))


def test_linear_timestamp_that_is_neither_a_number_nor_a_time_is_rejected():
    payload = {**json.loads(LINEAR_BODY), "webhookTimestamp": "yesterday"}
    with pytest.raises(StaleTimestamp):
        parse_signed(LINEAR, json.dumps(payload).encode(), LINEAR_SENT)


@pytest.mark.parametrize("body", [b"\xef\xbb\xbf" + b'{"webhookEvent": "jira:issue_updated"}',
                                  b'{"webhookEvent": "jira:issue_updated", "note": "\\ud800"}',
                                  b'{"webhookEvent": "jira:issue_updated", "huge": 1e400}'])
def test_bodies_orjson_refuses_but_json_takes_are_still_accepted(body):
    """The fast decoder refuses these; the json module judges them, as before orjson."""
    headers = {"X-Hub-Signature": expected_signature("jira", body, "s3cret")}
    delivery = parse_delivery("jira", headers, body, "s3cret", datetime.now(timezone.utc))
    assert delivery.event_type == "jira:issue_updated"


@pytest.mark.parametrize("body", [b'{"webhookEvent": NaN}', b'{"webhookEvent": "x"', b"[1, 2]",
                                  b'{"a": Infinity}', b"\xff\xfe{}"])
def test_bodies_neither_decoder_takes_are_refused_as_before(body):
    headers = {"X-Hub-Signature": expected_signature("jira", body, "s3cret")}
    with pytest.raises(DeliveryRejected) as refused:
        parse_delivery("jira", headers, body, "s3cret", datetime.now(timezone.utc))
    assert refused.value.status == 400
