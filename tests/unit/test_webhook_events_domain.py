"""Event types, filters and audiences; Retry-After; RFC 7240 Prefer (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.manifests import prefers_async
from customs.domain import events
from customs.domain.errors import Invalid
from customs.domain.webhooks import RetryPolicy, next_attempt, parse_retry_after

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class Ceiling:
    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.mark.parametrize("value, delay", [
    ("120", 120), ("0", 0), (" 7 ", 7), ("Mon, 23 Nov 2026 10:05:00 GMT", 300),
    ("Mon, 23 Nov 2026 09:00:00 GMT", 0), ("Monday, 23-Nov-26 10:01:00 GMT", 60),
    ("Mon Nov 23 10:00:30 2026", 30), ("1" * 80, None), ("", None), ("-1", None),
    ("1.5", None), ("tomorrow", None), (None, None), ("99999999999999", 10**9)])
def test_retry_after_is_seconds_or_an_http_date(value, delay):
    expected = None if delay is None else timedelta(seconds=delay)
    assert parse_retry_after(value, NOW) == expected


def test_retry_after_delays_the_next_attempt_up_to_its_cap_even_past_the_window():
    policy = RetryPolicy(base=timedelta(seconds=10), cap=timedelta(hours=1),
                         window=timedelta(hours=1), retry_after_cap=timedelta(minutes=30))
    first = NOW - timedelta(minutes=59)
    assert next_attempt(policy, 1, first, NOW, Ceiling()) == NOW + timedelta(seconds=10)
    assert next_attempt(policy, 1, first, NOW, Ceiling(), timedelta(minutes=5)) == \
        NOW + timedelta(minutes=5)  # past the window's end (NOW + 1 min): one last try
    assert next_attempt(policy, 1, first, NOW, Ceiling(), timedelta(days=2)) == \
        NOW + timedelta(minutes=30)
    assert next_attempt(policy, 1, first, NOW, Ceiling(), timedelta(0)) == \
        NOW + timedelta(seconds=10)  # a shorter Retry-After does not hurry the backoff
    assert next_attempt(policy, 2, NOW - timedelta(hours=1), NOW, Ceiling(),
                        timedelta(minutes=5)) is None  # the window is over: failed


def test_the_filter_is_checked_and_put_in_a_stable_order():
    assert events.check_event_filter(None) is None
    assert events.check_event_filter(["batch.failed", "manifest.processed",
                                      "batch.failed"]) == ("manifest.processed",
                                                           "batch.failed")
    for bad in ([], ["webhook.ping"], "batch.failed", [None], list(events.EVENT_TYPES) * 2):
        with pytest.raises(Invalid):
            events.check_event_filter(bad)


def test_who_an_event_reaches():
    processed = events.manifest_processed({"id": "m", "ref": "r", "received_at": "t",
                                           "parcels": 1, "accepted": 1, "rejected": 0}, 7, NOW)
    officers = events.batch_failed(events.FailedBatch("b", "msg", "10005020", "x"),
                                   [events.BatchShare(7, ["A"])], NOW)[-1]
    ping = events.ping("w1", 7, NOW)

    def reaches(event, role="marketplace", tenant=7, offices=(), wanted=None, hook="w2"):  # type: ignore[no-untyped-def]
        return events.reaches(event, webhook_id=hook, role=role, tenant_id=tenant,
                               offices=offices, events=wanted)

    assert reaches(processed) and not reaches(processed, tenant=8)
    assert not reaches(processed, role="courier") and not reaches(processed, role="officer")
    assert not reaches(processed, wanted=("batch.failed",))
    assert reaches(officers, role="officer", offices=("10005020",), tenant=99)
    assert not reaches(officers, role="officer", offices=("10009100",))
    assert not reaches(officers)  # the marketplaces get their own, with their parcels
    assert reaches(ping, hook="w1", wanted=("batch.failed",)) and not reaches(ping, hook="w2")


@pytest.mark.parametrize("values, wanted", [
    (["respond-async"], True), (["wait=10", "Respond-Async"], True),
    (["return=minimal; foo=bar, respond-async; x"], True), (["respond-asyncx"], False),
    ([""], False), ([], False), (["wait=respond-async"], False)])
def test_prefer_respond_async(values, wanted):
    assert prefers_async(values) is wanted
