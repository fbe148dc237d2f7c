"""Verified API keys are cached for CUSTOMS_API_KEY_CACHE_SECONDS: revocation and expiry still
hold (at once through the same process, within the cache time through another one)."""

from __future__ import annotations

from datetime import timedelta

from api import create_app
from customs.bootstrap import bootstrap
from customs.services.access import KeyCache
from customs.services.ports import Principal
from customs.settings import Settings

PATH = "/v1/parcels/RR123456785CN"  # absent: 404 once authenticated, 401 otherwise


def status(client, token: str) -> int:  # type: ignore[no-untyped-def]
    return client.get(PATH, headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_cached_key_revoked_through_this_process_is_refused_at_once(client, customs):
    key_id, token = customs.access.create_api_key("acme", "marketplace")
    assert status(client, token) == 404  # authenticated, and now cached
    assert customs.access.revoke_api_key(key_id)
    assert status(client, token) == 401


def test_a_key_revoked_by_another_process_stops_within_the_cache_time(client, customs, clock,
                                                                     database_url):
    key_id, token = customs.access.create_api_key("acme", "marketplace")
    assert status(client, token) == 404
    operator = bootstrap(Settings(database_url=database_url), clock=clock)  # as the CLI does
    try:
        assert operator.access.revoke_api_key(key_id)
    finally:
        operator.close()
    assert status(client, token) == 404  # still trusted from the cache...
    clock.current += timedelta(seconds=customs.settings.api_key_cache_seconds)
    assert status(client, token) == 401  # ...but not past its time


def test_without_a_cache_revocation_anywhere_is_seen_at_once(database_url, clock):
    customs = bootstrap(Settings(database_url=database_url, api_key_cache_seconds=0),
                        clock=clock)
    other = bootstrap(Settings(database_url=database_url), clock=clock)
    try:
        client = create_app(customs=customs).test_client()
        key_id, token = customs.access.create_api_key("acme", "marketplace")
        assert status(client, token) == 404
        assert other.access.revoke_api_key(key_id)
        assert status(client, token) == 401
    finally:
        customs.close()
        other.close()


def test_a_cached_key_still_expires_on_time(client, customs, clock):
    token = customs.access.create_api_key("acme", "marketplace", days=1)[1]
    clock.current += timedelta(days=1, seconds=-1)
    assert status(client, token) == 404  # cached, but only until the key's own expiry
    clock.current += timedelta(seconds=1)
    assert status(client, token) == 401


def test_the_cache_is_bounded_and_forgets_by_key_id(clock):
    cache = KeyCache(5, max_keys=2)
    now = clock.now()
    for n in range(3):
        cache.put(f"h{n}", Principal(f"k{n}", 1, "acme", "marketplace"), now)
    assert cache.get("h0", now) is None and cache.get("h2", now) is not None  # restarted
    cache.forget("k2")
    assert cache.get("h2", now) is None
    assert cache.get("h2", now + timedelta(seconds=5)) is None
