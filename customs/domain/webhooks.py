"""Webhooks: which URLs may receive events, how a body is signed, when a failed send retries.

Pure rules: the caller passes in the name resolver, the clock's instant and the random source.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urlsplit

from customs.domain.errors import Invalid, Unprocessable
from customs.domain.feed import FeedPosition

MAX_URL = 2048
STATUSES = ("pending", "delivered", "failed")
Resolver = Callable[[str], Sequence[str]]  # host name -> IP addresses


class Random(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


def check_url(url: object, *, allow_private: bool, resolve: Resolver) -> str:
    """The URL if a webhook may POST to it: http(s), bounded, a public address.

    Private, loopback, link-local and other non-global addresses are refused (server-side
    request forgery) unless allowed; a name is resolved and every address must be public.
    """
    if (not isinstance(url, str) or not url or len(url) > MAX_URL or not url.isprintable()
            or any(c.isspace() for c in url)):
        raise Invalid("WEBHOOK_URL_INVALID", f"url must be an http or https URL of at most "
                                             f"{MAX_URL} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise Invalid("WEBHOOK_URL_INVALID", "url is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("WEBHOOK_URL_INVALID", "url must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise Invalid("WEBHOOK_URL_INVALID", "url must not carry credentials")
    if not allow_private:
        refused = non_public(parts.hostname, resolve)
        if refused:
            raise Unprocessable("WEBHOOK_URL_FORBIDDEN", f"url's host {parts.hostname} is "
                                                         f"{refused}: only public addresses "
                                                         "receive webhooks")
    return url


def non_public(host: str, resolve: Resolver) -> str | None:
    """Why the host may not receive webhooks (an address that is not global), or None."""
    refused, _ = public_address(host, resolve)
    return refused


def public_address(host: str, resolve: Resolver) -> tuple[str | None, str | None]:
    """(why refused, None) or (None, the checked address to connect to).

    The sender connects to exactly the address checked here, never resolving the name again:
    a name that answers a public address to the check and a private one to the connection
    (DNS rebinding) gets nowhere."""
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolve(host)]
        except (OSError, ValueError):
            return "not resolvable", None
        if not addresses:
            return "not resolvable", None
    for address in addresses:
        if not address.is_global or address.is_multicast:
            return f"a non-public address ({address})", None
    return None, str(addresses[0])


def sign(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    """`t=<unix>,v1=<hex>[,v1=<hex>]`: HMAC-SHA256 over "<t>.<body>", one v1 per secret."""
    message = f"{timestamp}.".encode() + body
    parts = [f"t={timestamp}"]
    parts += [f"v1={hmac.new(s.encode(), message, hashlib.sha256).hexdigest()}"
              for s in secrets]
    return ",".join(parts)


def active_secrets(secret: str, previous: str | None, previous_until: datetime | None,
                   now: datetime) -> list[str]:
    """The current secret, and the previous one while the rotation overlap lasts."""
    if previous and previous_until is not None and now < previous_until:
        return [secret, previous]
    return [secret]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base: timedelta
    cap: timedelta
    window: timedelta  # retried for this long after the first attempt, then failed
    retry_after_cap: timedelta = timedelta(hours=1)  # the longest Retry-After honoured


def next_attempt(policy: RetryPolicy, attempts: int, first_attempt: datetime, now: datetime,
                 rng: Random, retry_after: timedelta | None = None) -> datetime | None:
    """When to try again after `attempts` failures (full jitter), or None: give up.

    A receiver's Retry-After (capped at `retry_after_cap`) is honoured: the next attempt is
    never sooner than it asks, even when that is past the end of the window (one last try)."""
    if now - first_attempt >= policy.window:
        return None
    ceiling = min(policy.cap.total_seconds(),
                  policy.base.total_seconds() * 2 ** min(attempts - 1, 30))
    at = min(now + timedelta(seconds=rng.uniform(0, ceiling)),
             max(now, first_attempt + policy.window))
    if retry_after is not None:
        at = max(at, now + min(retry_after, policy.retry_after_cap))
    return at


MAX_RETRY_AFTER_TEXT = 64


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A Retry-After header (RFC 9110: delay-seconds or an HTTP-date) as a delay from `now`;
    None when absent or unreadable; a date in the past is no delay."""
    if value is None or len(value) > MAX_RETRY_AFTER_TEXT:
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=min(int(text), 10**9))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - now)


def cursor_text(position: FeedPosition) -> str:
    return f"{position.txid}.{position.event_id}"


def cursor_position(text: str) -> FeedPosition:
    txid, _, event_id = text.partition(".")
    return FeedPosition(int(txid), int(event_id))
