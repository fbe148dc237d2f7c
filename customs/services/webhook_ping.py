"""Use case: a test event (`webhook.ping`) delivered to one webhook now, the result returned.

The ping is stored and its delivery claimed by this caller in one transaction, then sent
outside any transaction, signed like every event, and recorded like every attempt (its
delivery and attempt history are readable afterwards). A ping is not retried: a failed one
is `failed` at once (the caller sees why, and may ping again).
"""

from __future__ import annotations

import secrets

from customs.domain import events
from customs.domain.errors import NotFound
from customs.services.ports import Clock, Principal
from customs.services.read_models.webhooks import AttemptView, PingResult
from customs.services.unit_of_work import UnitOfWork
from customs.services.webhook_delivery import DeliveryPolicy, event_body, post
from customs.services.webhook_ports import WebhookSender


def ping(who: Principal, webhook_id: str, *, uow: UnitOfWork, sender: WebhookSender,
         clock: Clock, policy: DeliveryPolicy) -> PingResult:
    now = clock.now()
    owner = secrets.token_hex(8)
    with uow:
        if uow.webhooks.get(who, webhook_id) is None:
            raise NotFound(f"no webhook {webhook_id}")
        [event_id] = uow.events.add([events.ping(webhook_id, who.tenant_id, now)])
        delivery_id = uow.webhooks.add_delivery(webhook_id, event_id, events.WEBHOOK_PING, now,
                                                now + policy.lease, owner)
        due = uow.webhooks.claimed(delivery_id)
        body = None if due is None else event_body(due, uow)
        uow.commit()
    assert due is not None
    result = post(due, body, sender=sender, clock=clock, policy=policy)
    at = clock.now()
    status = "delivered" if result.delivered else "failed"
    with uow:
        uow.webhooks.outcome(delivery_id, status=status, result=result, at=at,
                             next_attempt_at=None, owner=owner)
        uow.commit()
    return PingResult(delivery_id, event_id, result.delivered,
                      AttemptView(at.isoformat(), result.status, result.duration_ms,
                                  result.error))
