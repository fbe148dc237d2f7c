"""Webhook rules without a database: URL checks, signatures, retry times."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from customs.domain.errors import CodedError
from customs.domain.webhooks import RetryPolicy, active_secrets, check_url, next_attempt, sign

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _resolver(*addresses: str):  # type: ignore[no-untyped-def]
    return lambda host: list(addresses)


@pytest.mark.parametrize("addresses", [("10.1.2.3",), ("93.184.216.34", "127.0.0.1"),
                                       ("::ffff:127.0.0.1",), ("fd00::1",), ("100.64.0.1",),
                                       ("0.0.0.0",), ("224.0.0.1",), ()])
def test_names_resolving_to_a_non_public_address_are_refused(addresses):
    with pytest.raises(CodedError) as caught:
        check_url("https://hooks.example.com/x", allow_private=False,
                  resolve=_resolver(*addresses))
    assert caught.value.code == "WEBHOOK_URL_FORBIDDEN"


def test_public_names_and_the_private_switch():
    assert check_url("https://hooks.example.com:8443/x?a=1", allow_private=False,
                     resolve=_resolver("93.184.216.34", "2606:2800:220:1::1"))
    assert check_url("http://10.0.0.5/x", allow_private=True, resolve=_resolver())


def test_unresolvable_names_are_refused():
    def fail(host: str) -> list[str]:
        raise OSError("no such name")

    with pytest.raises(CodedError):
        check_url("https://nowhere.invalid/", allow_private=False, resolve=fail)


@pytest.mark.parametrize("url", ["", "mailto:a@b.c", "http://host:99999/", "javascript:x",
                                 "https://a b/", "http://[::1/", None])
def test_malformed_urls(url):
    with pytest.raises(CodedError) as caught:
        check_url(url, allow_private=True, resolve=_resolver())
    assert caught.value.code == "WEBHOOK_URL_INVALID"


def test_signature_is_hmac_sha256_over_timestamp_dot_body_one_per_secret():
    header = sign(["new", "old"], 1700000000, b'{"id":1}')
    expected = [hmac.new(s, b'1700000000.{"id":1}', hashlib.sha256).hexdigest()
                for s in (b"new", b"old")]
    assert header == f"t=1700000000,v1={expected[0]},v1={expected[1]}"


def test_previous_secret_only_during_the_overlap():
    until = NOW + timedelta(hours=1)
    assert active_secrets("b", "a", until, NOW) == ["b", "a"]
    assert active_secrets("b", "a", until, until) == ["b"]
    assert active_secrets("b", None, None, NOW) == ["b"]


class Top:
    def uniform(self, a: float, b: float) -> float:
        return b


def test_retry_times_grow_to_the_cap_and_stop_at_the_window():
    policy = RetryPolicy(timedelta(seconds=10), timedelta(minutes=10), timedelta(hours=24))
    delays = [(next_attempt(policy, n, NOW, NOW, Top()) - NOW).total_seconds()
              for n in range(1, 9)]
    assert delays == [10, 20, 40, 80, 160, 320, 600, 600]
    late = NOW + timedelta(hours=23, minutes=59, seconds=50)
    assert next_attempt(policy, 50, NOW, late, Top()) == NOW + timedelta(hours=24)
    assert next_attempt(policy, 51, NOW, NOW + timedelta(hours=24), Top()) is None
