"""Use cases: register, list, show, delete a webhook, rotate its secret, replay its failures.

A webhook belongs to its tenant (another tenant's id is NotFound, as for a missing one) and
carries the scope of the key that registered it: it receives what that key's feed shows.
Secrets are shown once, never logged, never audited, and stored only sealed (SecretBox:
encrypted at rest, see customs.adapters.webhooks.secret_box); without a key nothing is registered.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from customs.domain.errors import Conflict, Invalid, NotFound
from customs.domain.events import check_event_filter
from customs.domain.feed import START
from customs.domain.webhooks import STATUSES, Resolver, check_url, cursor_text
from customs.services.ports import Clock, Principal
from customs.services.read_models import JsonObject
from customs.services.read_models.webhooks import DeliveryView, WebhookView
from customs.services.unit_of_work import UnitOfWork
from customs.services.webhook_ports import NewWebhook, SecretBox

MAX_WEBHOOKS = 20  # per tenant
MAX_OVERLAP = timedelta(days=7)
MAX_ATTEMPTS_SHOWN = 1000  # a delivery retried for a day has some tens


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    allow_private: bool
    resolve: Resolver


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def register(who: Principal, url: object, *, from_start: bool, uow: UnitOfWork, clock: Clock,
             policy: UrlPolicy, new_id: Callable[[], str], box: SecretBox,
             events: object = None) -> WebhookView:
    """`events`: the event types it receives (None: every type)."""
    checked = check_url(url, allow_private=policy.allow_private, resolve=policy.resolve)
    wanted = check_event_filter(events)
    now = clock.now()
    secret = new_secret()
    sealed = box.seal(secret)  # before anything is written: no key, no webhook
    with uow:
        if uow.webhooks.count(who.tenant_id) >= MAX_WEBHOOKS:
            raise Conflict("WEBHOOK_LIMIT_REACHED", f"a tenant has at most {MAX_WEBHOOKS} "
                                                    "webhooks; delete one first")
        start = START if from_start else uow.webhooks.feed_end()
        hook = NewWebhook(new_id(), who, checked, sealed, cursor_text(start), now, wanted)
        uow.webhooks.add(hook)
        created = uow.webhooks.get(who, hook.id)
        assert created is not None
        uow.audit.record(who, who.actor, "webhook.create", "webhook", hook.id, None,
                         created.audited(), now)
        uow.commit()
    return replace(created, secret=secret)


def page(who: Principal, after: str | None, limit: int, *,
         uow: UnitOfWork) -> tuple[list[WebhookView], str | None]:
    with uow:
        items = uow.webhooks.page(who, after, limit)
    return items, items[-1].id if len(items) == limit else None


def get(who: Principal, webhook_id: str, *, uow: UnitOfWork) -> WebhookView:
    with uow:
        return _found(uow, who, webhook_id)


def delete(who: Principal, webhook_id: str, *, uow: UnitOfWork, clock: Clock) -> None:
    now = clock.now()
    with uow:
        before = _found(uow, who, webhook_id)
        uow.webhooks.delete(webhook_id, now)
        uow.audit.record(who, who.actor, "webhook.delete", "webhook", webhook_id,
                         before.audited(), None, now)
        uow.commit()


def rotate_secret(who: Principal, webhook_id: str, overlap: timedelta, *, uow: UnitOfWork,
                  clock: Clock, box: SecretBox) -> WebhookView:
    """A new secret; the old one (kept sealed as it is) also signs until the overlap ends
    (0: at once)."""
    if not timedelta(0) <= overlap <= MAX_OVERLAP:
        raise Invalid("INVALID_OVERLAP", f"overlap_seconds must be from 0 to "
                                         f"{int(MAX_OVERLAP.total_seconds())}")
    now = clock.now()
    secret = new_secret()
    sealed = box.seal(secret)
    with uow:
        before = _found(uow, who, webhook_id)
        current = uow.webhooks.secret(webhook_id)
        until = now + overlap if overlap else None
        uow.webhooks.rotate(webhook_id, sealed, current if until else None, until)
        after = _found(uow, who, webhook_id)
        uow.audit.record(who, who.actor, "webhook.rotate_secret", "webhook", webhook_id,
                         before.audited(), after.audited(), now)
        uow.commit()
    return replace(after, secret=secret)


def replay(who: Principal, webhook_id: str, since: datetime | None, *, uow: UnitOfWork,
           clock: Clock) -> int:
    """Queue again the deliveries that failed for good (those created since `since`)."""
    now = clock.now()
    with uow:
        hook = _found(uow, who, webhook_id)
        count = uow.webhooks.replay(webhook_id, since, now)
        uow.audit.record(who, who.actor, "webhook.replay", "webhook", webhook_id,
                         hook.audited(),
                         {"replayed": count, "since": None if since is None
                          else since.isoformat()}, now)
        uow.commit()
    return count


def deliveries(who: Principal, webhook_id: str, status: str | None, before: int | None,
               limit: int, *, uow: UnitOfWork) -> tuple[list[DeliveryView], int | None]:
    if status is not None and status not in STATUSES:
        raise Invalid("INVALID_PARAMETER", f"status: one of {', '.join(STATUSES)}")
    with uow:
        _found(uow, who, webhook_id)
        items = uow.webhooks.deliveries(webhook_id, status, before, limit)
    return items, items[-1].id if len(items) == limit else None


def delivery(who: Principal, webhook_id: str, delivery_id: int, *,
             uow: UnitOfWork) -> JsonObject:
    """One delivery with the history of its attempts, oldest first."""
    with uow:
        _found(uow, who, webhook_id)
        found = uow.webhooks.delivery(webhook_id, delivery_id)
        if found is None:
            raise NotFound(f"no delivery {delivery_id} of webhook {webhook_id}")
        attempts = uow.webhooks.attempts(delivery_id, MAX_ATTEMPTS_SHOWN)
    return {**found.to_json(), "attempt_history": [a.to_json() for a in attempts]}


def _found(uow: UnitOfWork, who: Principal, webhook_id: str) -> WebhookView:
    hook = uow.webhooks.get(who, webhook_id)
    if hook is None:
        raise NotFound(f"no webhook {webhook_id}")
    return hook

