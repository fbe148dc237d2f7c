"""The client's tests run against the live service: create_app on a real HTTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from api import create_app
from api.worker_loop import WorkerPass
from customs_client import Client, RetryPolicy
from tests.live_server import serving


class Faults:
    """WSGI middleware that answers `status` (with `headers`) to the next `count` requests
    to `path` AFTER the service handled them: as if the reply was lost on the way back."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app, self.path, self.count = app, "", 0
        self.status, self.headers = "503 Service Unavailable", [("Retry-After", "0")]
        self.seen: list[tuple[str, str | None]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ["PATH_INFO"]
        self.seen.append((path, environ.get("HTTP_IDEMPOTENCY_KEY")))
        if path != self.path or self.count == 0:
            return self.app(environ, start_response)
        self.count -= 1
        body = b"".join(self.app(environ, lambda *a, **k: None))  # applied, reply dropped
        del body
        start_response(self.status, [("Content-Type", "application/problem+json"),
                                     *self.headers])
        return [b'{"type": "about:blank", "title": "lost", "status": 503}']


@pytest.fixture
def service(customs) -> Iterator[tuple[str, Faults]]:  # type: ignore[no-untyped-def]
    customs.settings.webhook_allow_private_urls = True
    faults = Faults(create_app(customs=customs))
    with serving(faults) as url:
        yield url, faults


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(service, marketplace_key, sleeps) -> Client:  # type: ignore[no-untyped-def]
    return Client(service[0], marketplace_key, timeout=10, sleep=sleeps.append,
                  retry=RetryPolicy(attempts=3, backoff=0.25))


def worker_pass(customs):  # type: ignore[no-untyped-def]
    """One pass of `customs worker`: async manifests, batches, webhook deliveries."""
    return WorkerPass(customs, force_seal=False, backoff_base=1, backoff_cap=1).run()
