"""Per-API-key rate limits (CUSTOMS_RATE_LIMIT), counted in CUSTOMS_RATE_LIMIT_STORAGE.

`memory://` counts per process; `redis://host:6379/0` shares the counts between every process
and machine. Moving windows: "600/minute" allows 600 requests in any 60 seconds. Every reply to
an API-key request carries RateLimit-Limit / -Remaining / -Reset (of the tightest limit); over
a limit the reply is 429 RATE_LIMITED with Retry-After. If the store is unreachable requests are
let through (logged): clearance must not stop because the counter is down.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, current_app, g
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from api.errors import ApiProblem

log = logging.getLogger("customs.api")
NAMESPACE = "customs-key"


class KeyRateLimiter:
    def __init__(self, spec: str, storage_uri: str) -> None:
        self.items: list[RateLimitItem] = parse_many(spec) if spec.strip() else []
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def hit(self, key_id: str) -> tuple[bool, dict[str, str]]:
        """Count one request of this key: (allowed, the RateLimit-* and Retry-After headers)."""
        if not self.items:
            return True, {}
        refused = [item for item in self.items
                   if not self.limiter.hit(item, NAMESPACE, key_id)]
        now = time.time()
        stats = [(item, self.limiter.get_window_stats(item, NAMESPACE, key_id))
                 for item in self.items]
        item, tightest = min(stats, key=lambda s: (s[1].remaining, -s[1].reset_time))
        headers = {"RateLimit-Limit": str(item.amount),
                   "RateLimit-Remaining": str(max(0, tightest.remaining)),
                   "RateLimit-Reset": str(max(0, math.ceil(tightest.reset_time - now)))}
        if refused:
            wait = max(s.reset_time for i, s in stats if i in refused) - now
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return not refused, headers


def init_app(app: Flask, spec: str, storage_uri: str) -> None:
    """Without limits (an empty CUSTOMS_RATE_LIMIT) nothing is counted and no header is
    added: no limiter, no after-request hook on every reply."""
    limiter = KeyRateLimiter(spec, storage_uri)
    if not limiter.items:
        return
    app.extensions["rate_limiter"] = limiter
    app.after_request(_add_headers)


def enforce(key_id: str) -> None:
    """Count the request against its key; 429 over the limit."""
    limiter: KeyRateLimiter | None = current_app.extensions.get("rate_limiter")
    if limiter is None:
        return
    try:
        allowed, headers = limiter.hit(key_id)
    except Exception:  # the store is down: let the request through, say so
        log.warning("rate limit store unreachable; request of key %s not counted", key_id,
                    exc_info=True)
        return
    g.rate_limit_headers = headers
    if not allowed:
        raise ApiProblem(429, "RATE_LIMITED", f"this API key is over its rate limit; retry "
                                              f"after {headers['Retry-After']} seconds",
                         headers=headers)


def _add_headers(response: Response) -> Response:
    for name, value in g.get("rate_limit_headers", {}).items():
        response.headers.setdefault(name, value)
    return response
