"""Use case: deliver the feed to webhooks, reliably.

1. Fan-out: per active webhook, read its scoped feed from its cursor and queue one delivery per
   event, moving the cursor in the same transaction (idempotent, see the SQL adapter).
2. Send: claim due deliveries with a lease, POST each signed (outside any transaction), record
   the outcome. 2xx is delivered; anything else is retried with exponential backoff and full
   jitter until the retry window after the first attempt is over, then `failed` (kept for
   replay). After a receiver fails, its other deliveries claimed in this pass wait for its
   next attempt instead of being sent into the failure.
The address is checked again at send time (DNS may have changed since registration).
A receiver's Retry-After (seconds or an HTTP date) delays its next attempt, up to a cap.
Events other than parcel changes (customs.domain.events) are queued when they are stored;
an endpoint's filter (`events`) is applied there and, for the feed, here.
Every attempt is recorded with its time, status code, duration and error.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from customs.domain.errors import SecretsUnavailable
from customs.domain.events import PARCEL_STATUS_CHANGED, StoredEvent, wants
from customs.domain.webhooks import (
    Random,
    RetryPolicy,
    active_secrets,
    cursor_position,
    cursor_text,
    next_attempt,
    parse_retry_after,
    public_address,
    sign,
)
from customs.services.ports import Clock
from customs.services.read_models.feed import FeedChange
from customs.services.unit_of_work import UnitOfWork
from customs.services.webhook_ports import DueDelivery, SecretBox, SendResult, WebhookSender
from customs.services.webhooks import UrlPolicy


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    retry: RetryPolicy
    lease: timedelta
    urls: UrlPolicy
    secrets: SecretBox  # opens the stored (sealed) secrets to sign with
    page: int = 500  # events read per feed page
    max_pages: int = 20  # per webhook and pass
    max_webhooks: int = 10_000
    max_sends: int = 200  # per pass


@dataclass
class DeliveryReport:
    queued: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver(*, uow: UnitOfWork, sender: WebhookSender, clock: Clock, policy: DeliveryPolicy,
            rng: Random) -> DeliveryReport:
    report = DeliveryReport(queued=fan_out(uow=uow, clock=clock, policy=policy))
    send_due(report, uow=uow, sender=sender, clock=clock, policy=policy, rng=rng)
    return report


def fan_out(*, uow: UnitOfWork, clock: Clock, policy: DeliveryPolicy) -> int:
    with uow:
        targets = uow.webhooks.active(policy.max_webhooks, clock.now())
    queued = 0
    for target in targets:
        if not wants(target.events, PARCEL_STATUS_CHANGED):
            continue  # filtered out: its feed is not read (nor its cursor moved)
        for _ in range(policy.max_pages):
            with uow:
                items = uow.views.feed(target.scope, cursor_position(target.cursor),
                                       policy.page)
                if not items:
                    break
                cursor = cursor_text(items[-1].position)
                if not uow.webhooks.enqueue(target, items, cursor, clock.now()):
                    break  # another worker queued this page; it carries on from there
                uow.commit()
            queued += len(items)
            target = replace(target, cursor=cursor)
            if len(items) < policy.page:
                break
    return queued


def send_due(report: DeliveryReport, *, uow: UnitOfWork, sender: WebhookSender, clock: Clock,
             policy: DeliveryPolicy, rng: Random) -> None:
    now = clock.now()
    owner = secrets.token_hex(8)  # this pass's leases: renewed per send, checked on outcome
    with uow:
        due = uow.webhooks.claim_due(now, now + policy.lease, policy.max_sends, owner)
        uow.commit()
    waiting: dict[str, datetime] = {}  # webhooks that failed in this pass: their next attempt
    for delivery in due:
        if delivery.webhook_id in waiting:
            _hold(delivery, waiting[delivery.webhook_id], report, uow=uow, now=now,
                  policy=policy, owner=owner)
            continue
        retry_at = _send_one(delivery, report, uow=uow, sender=sender, clock=clock,
                             policy=policy, rng=rng, owner=owner)
        if retry_at is not None:
            waiting[delivery.webhook_id] = retry_at


def _hold(d: DueDelivery, until: datetime, report: DeliveryReport, *, uow: UnitOfWork,
          now: datetime, policy: DeliveryPolicy, owner: str) -> None:
    """Not sent now (its receiver just failed); its retry window runs from now all the same."""
    first = d.first_attempt_at or now
    with uow:
        if now - first >= policy.retry.window:
            uow.webhooks.outcome(d.id, status="failed", at=now, next_attempt_at=None,
                                 result=SendResult(None, "not sent: the receiver kept failing "
                                                         "for the whole retry window"),
                                 owner=owner)
            report.failed += 1
        else:
            uow.webhooks.release([d.id], until, now, owner)
        uow.commit()


def _send_one(d: DueDelivery, report: DeliveryReport, *, uow: UnitOfWork,
              sender: WebhookSender, clock: Clock, policy: DeliveryPolicy,
              rng: Random, owner: str) -> datetime | None:
    """Send one delivery and record it; the time of its next attempt if it is to be retried.

    The lease is renewed first: a pass slower than the lease (slow receivers) does not send
    what another worker has taken over meanwhile."""
    with uow:
        if not uow.webhooks.renew(d.id, owner, clock.now() + policy.lease):
            return None
        body = event_body(d, uow)
        uow.commit()
    result = post(d, body, sender=sender, clock=clock, policy=policy)
    now = clock.now()
    retry_at = None
    if result.delivered:
        status = "delivered"
        report.delivered += 1
    else:
        retry_at = next_attempt(policy.retry, d.attempts + 1, d.first_attempt_at or now, now,
                                rng, parse_retry_after(result.retry_after, now))
        status = "pending" if retry_at is not None else "failed"
        if retry_at is None:
            report.failed += 1
        else:
            report.retrying += 1
    with uow:
        uow.webhooks.outcome(d.id, status=status, result=result, at=now,
                             next_attempt_at=retry_at, owner=owner)
        uow.commit()
    return retry_at


def event_body(d: DueDelivery, uow: UnitOfWork) -> bytes | None:
    """The JSON body of the delivery's event, or None when the event is gone."""
    if d.event_type == PARCEL_STATUS_CHANGED:
        change = uow.webhooks.event_fields(d.event_id)
        return None if change is None else payload(d.event_id, change, d)
    stored = uow.events.get(d.event_id)
    return None if stored is None else event_payload(stored)


def post(d: DueDelivery, body: bytes | None, *, sender: WebhookSender,
         clock: Clock, policy: DeliveryPolicy) -> SendResult:
    """Sign and POST one event body, the address checked again first."""
    if body is None:
        return SendResult(None, f"event {d.event_type} {d.event_id} not found")
    host = urlsplit(d.url).hostname or ""
    refused, address = None, None
    if not policy.urls.allow_private:
        refused, address = public_address(host, policy.urls.resolve)
    if refused:
        return SendResult(None, f"not sent: the host is now {refused}")
    now = clock.now()
    timestamp = int(now.timestamp())
    try:
        previous = None if d.previous_secret is None else policy.secrets.open(d.previous_secret)
        keys = active_secrets(policy.secrets.open(d.secret), previous,
                              d.previous_secret_until, now)
    except SecretsUnavailable as exc:  # retried like a failed send, until a key is installed
        return SendResult(None, f"not sent: {exc.detail}")
    headers = {"Content-Type": "application/json", "Customs-Webhook-Id": d.webhook_id,
               "Customs-Event-Id": str(d.event_id), "Customs-Event-Type": d.event_type,
               "Customs-Timestamp": str(timestamp),
               "Customs-Signature": sign(keys, timestamp, body)}
    return sender.send(d.url, headers, body, address)


def payload(event_id: int, change: FeedChange, d: DueDelivery) -> bytes:
    return _json({"id": event_id, "type": PARCEL_STATUS_CHANGED, "created_at": change.at,
                  "data": change.to_json(d.scope.role)})


def event_payload(event: StoredEvent) -> bytes:
    return _json({"id": event.id, "type": event.type, "created_at": event.at.isoformat(),
                  "data": event.data})


def _json(document: dict[str, object]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
