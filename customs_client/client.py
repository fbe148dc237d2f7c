"""The client: one `requests.Session`, an API key, and retries that are safe.

Every POST carries an Idempotency-Key (yours, or a fresh one) and a retry sends the same key,
so a request that reached the service before the connection broke is answered with its
stored reply (Idempotent-Replayed) instead of being applied twice. Retried: connection
errors, 429 (after its Retry-After), 409 IDEMPOTENCY_KEY_IN_USE, 502, 503, 504. Never
retried: the other 4xx (the request is wrong) and 500 (a fault; the reply says so)."""

from __future__ import annotations

import json as jsonlib
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import requests

from customs_client.errors import ApiError, TransportError
from customs_client.models import (
    Json,
    ManifestState,
    Page,
    Parcel,
    Quote,
    Receipt,
    Webhook,
)

T = TypeVar("T")
RETRIED_STATUSES = (429, 502, 503, 504)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # in all, the first included
    backoff: float = 0.5  # seconds, doubled at each retry
    max_wait: float = 30.0  # the longest wait honoured (Retry-After included)


class Client:
    """`Client("https://customs.example", api_key)`; methods return typed results and raise
    ApiError (the problem document) or TransportError."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"
        self._sleep = sleep

    # Manifests ---------------------------------------------------------------------------
    def submit_manifest(self, document: bytes | str | Mapping[str, Any], *,
                        idempotency_key: str | None = None,
                        respond_async: bool = False) -> Receipt:
        """An XML manifest (bytes or str) or a JSON one (a mapping); the receipt, or (large
        or `respond_async`) the status `processing`: then wait_for_manifest or a webhook."""
        if isinstance(document, Mapping):
            body, media = jsonlib.dumps(document).encode(), "application/json"
        else:
            body = document.encode() if isinstance(document, str) else document
            media = "application/xml"
        headers = {"Content-Type": media, **({"Prefer": "respond-async"} if respond_async
                                            else {})}
        reply = self.request("POST", "/v1/manifests", data=body, headers=headers,
                             idempotency_key=idempotency_key)
        return Receipt.of(reply.json(), reply.headers.get("Location"),
                          reply.headers.get("Idempotent-Replayed") == "true")

    def manifest(self, manifest_id: str) -> ManifestState:
        return ManifestState.of(self.request("GET", f"/v1/manifests/{manifest_id}").json())

    def wait_for_manifest(self, manifest_id: str, *, timeout: float = 300.0,
                          interval: float = 1.0) -> ManifestState:
        """Poll until the manifest is no longer `processing` (TimeoutError after `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.manifest(manifest_id)
            if state.done:
                return state
            if time.monotonic() + interval > deadline:
                raise TimeoutError(f"manifest {manifest_id} still processing after {timeout} s")
            self._sleep(interval)

    def manifest_parcels(self, manifest_id: str, *, status: str | None = None,
                         limit: int = 100) -> Iterator[Parcel]:
        return self.items(f"/v1/manifests/{manifest_id}/parcels", Parcel.of,
                          {"status": status, "limit": limit})

    # Parcels -----------------------------------------------------------------------------
    def parcel(self, parcel: str) -> Parcel:
        """By public id (pcl_...) or tracking number."""
        return Parcel.of(self.request("GET", f"/v1/parcels/{parcel}").json())

    def search_parcels(self, *, limit: int = 100, **filters: str) -> Iterator[Parcel]:
        return self.items("/v1/parcels", Parcel.of, {**filters, "limit": limit})

    # Quotes ------------------------------------------------------------------------------
    def quote(self, basket: Mapping[str, Any], *, idempotency_key: str | None = None) -> Quote:
        return Quote.of(self.request("POST", "/v1/quotes", json=dict(basket),
                                     idempotency_key=idempotency_key).json())

    # Webhooks ----------------------------------------------------------------------------
    def create_webhook(self, url: str, *, events: list[str] | None = None,
                       idempotency_key: str | None = None) -> Webhook:
        """Register `url`; the result's `secret` is shown only now: keep it."""
        body: Json = {"url": url, **({"events": events} if events is not None else {})}
        return Webhook.of(self.request("POST", "/v1/webhooks", json=body,
                                       idempotency_key=idempotency_key).json())

    def webhooks(self) -> Iterator[Webhook]:
        return self.items("/v1/webhooks", Webhook.of)

    def delete_webhook(self, webhook_id: str) -> None:
        self.request("DELETE", f"/v1/webhooks/{webhook_id}")

    def ping_webhook(self, webhook_id: str) -> Json:
        return self.request("POST", f"/v1/webhooks/{webhook_id}/ping").json()  # type: ignore[no-any-return]

    # Pagination --------------------------------------------------------------------------
    def pages(self, path: str, item: Callable[[Json], T],
              params: Mapping[str, Any] | None = None) -> Iterator[Page[T]]:
        """Every page of a list, following next_cursor while has_more."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        while True:
            page = Page.of(self.request("GET", path, params=query).json(), item)
            yield page
            if not page.has_more or page.next_cursor is None:
                return
            query = {**query, "cursor": page.next_cursor}

    def items(self, path: str, item: Callable[[Json], T],
              params: Mapping[str, Any] | None = None) -> Iterator[T]:
        """Every item of a list, page after page."""
        for page in self.pages(path, item, params):
            yield from page.items

    # Transport ---------------------------------------------------------------------------
    def request(self, method: str, path: str, *, idempotency_key: str | None = None,
                headers: Mapping[str, str] | None = None, **kwargs: Any) -> requests.Response:
        """One call, retried by the policy; a POST always with an Idempotency-Key, the same on
        every attempt. Returns the 2xx (or 304) reply, else raises."""
        sent = dict(headers or {})
        if method == "POST":
            sent["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        url = self.base_url + path
        for attempt in range(1, self.retry.attempts + 1):
            try:
                reply = self.session.request(method, url, headers=sent, timeout=self.timeout,
                                             **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == self.retry.attempts:
                    raise TransportError(f"{method} {path}: {exc}") from exc
                self._sleep(self._backoff(attempt))
                continue
            if reply.status_code < 400:
                return reply
            if attempt < self.retry.attempts and _retried(reply):
                self._sleep(self._wait(reply, attempt))
                continue
            raise ApiError(reply.status_code, _problem(reply))
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return float(min(self.retry.backoff * 2 ** (attempt - 1), self.retry.max_wait))

    def _wait(self, reply: requests.Response, attempt: int) -> float:
        after = reply.headers.get("Retry-After", "")
        if after.isdigit():
            return min(float(after), self.retry.max_wait)
        return self._backoff(attempt)


def _retried(reply: requests.Response) -> bool:
    if reply.status_code in RETRIED_STATUSES:
        return True
    return reply.status_code == 409 and _problem(reply).get("code") == "IDEMPOTENCY_KEY_IN_USE"


def _problem(reply: requests.Response) -> Json:
    try:
        body = reply.json()
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {"title": reply.reason or "",
                                                "status": reply.status_code}
