"""Per-key rate limits: 429 with Retry-After after N requests, per key, shared through Redis."""

from __future__ import annotations

import pytest

from api import create_app
from tests.api.contract import assert_conforms

REDIS = "redis://127.0.0.1:6379/15"


def _get(client, key):  # type: ignore[no-untyped-def]
    return client.get("/v1/webhooks", headers={"Authorization": f"Bearer {key}"})


def _app(customs, spec: str, storage: str = "memory://"):  # type: ignore[no-untyped-def]
    customs.settings.rate_limit, customs.settings.rate_limit_storage = spec, storage
    return create_app(customs=customs).test_client()


def test_over_the_limit_is_429_with_retry_after_and_only_for_that_key(customs, marketplace_key,
                                                                      other_key):
    client = _app(customs, "3/minute")
    replies = [_get(client, marketplace_key) for _ in range(4)]
    assert [r.status_code for r in replies] == [200, 200, 200, 429]
    assert [r.headers["RateLimit-Remaining"] for r in replies] == ["2", "1", "0", "0"]
    assert all(r.headers["RateLimit-Limit"] == "3" for r in replies)
    refused = replies[-1]
    assert refused.get_json()["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert 1 <= int(refused.headers["RateLimit-Reset"]) <= 60
    assert_conforms(refused, "/v1/webhooks")
    assert _get(client, other_key).status_code == 200  # another key has its own count
    assert client.get("/health").status_code == 200  # no key, no count
    assert "RateLimit-Limit" not in client.get("/health").headers


def test_several_limits_the_tightest_one_speaks(customs, marketplace_key):
    client = _app(customs, "2/second;100/minute")
    replies = [_get(client, marketplace_key) for _ in range(3)]
    assert [r.status_code for r in replies] == [200, 200, 429]
    assert replies[0].headers["RateLimit-Limit"] == "2"
    assert replies[-1].headers["Retry-After"] == "1"


def test_unknown_keys_are_not_counted_but_refused(customs):
    client = _app(customs, "1/minute")
    for _ in range(3):
        assert _get(client, "cus_nothing_here").status_code == 401


def test_two_app_instances_share_one_count_through_redis(customs, marketplace_key):
    from limits.storage import storage_from_string

    storage = storage_from_string(REDIS)
    if not storage.check():
        pytest.fail(f"Redis is not reachable at {REDIS}: this test needs it (start redis-server "
                    "on 127.0.0.1:6379)")
    # API key ids are random: the count starts at zero for this test
    first, second = _app(customs, "4/minute", REDIS), _app(customs, "4/minute", REDIS)
    codes = [_get(client, marketplace_key).status_code
             for client in (first, second, first, second, first)]
    assert codes == [200, 200, 200, 200, 429]
    assert _get(second, marketplace_key).status_code == 429


def test_without_limits_nothing_is_counted_and_no_header_is_added(customs, marketplace_key):
    client = _app(customs, "")
    replies = [_get(client, marketplace_key) for _ in range(50)]
    assert {r.status_code for r in replies} == {200}
    assert not any(name.startswith("RateLimit") or name == "Retry-After"
                   for r in replies for name, _value in r.headers)
    assert "rate_limiter" not in client.application.extensions  # no hook on every reply
