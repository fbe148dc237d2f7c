"""Webhooks: marketplaces and couriers register URLs; the worker delivers the feed to them."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from customs.domain.errors import SecretsUnavailable
from customs.services import webhook_delivery, webhook_secrets, webhooks
from customs.services.ports import Clock, Principal, UnitOfWork
from customs.services.webhook_ports import SecretBox, WebhookSender

PAGE = 500


@dataclass
class Webhooks:
    """`sender` and `rng` may be replaced (tests record deliveries, pin the jitter)."""

    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    box: SecretBox
    key_missing: str | None  # why nothing can be sealed (no CUSTOMS_SECRETS_KEY), or None
    is_plaintext: Callable[[str | None], bool]
    urls: webhooks.UrlPolicy
    delivery: webhook_delivery.DeliveryPolicy
    sender: WebhookSender
    rng: random.Random = field(default_factory=random.Random)

    def create_webhook(self, who: Principal, url: object,
                       from_start: bool = False) -> dict[str, Any]:
        return webhooks.register(who, url, from_start=from_start, uow=self.uow_factory(),
                                 clock=self.clock, policy=self.urls,
                                 new_id=lambda: str(uuid.uuid4()), box=self.box)

    def list_webhooks(self, who: Principal, after: str | None,
                      limit: int) -> tuple[list[dict[str, Any]], str | None]:
        return webhooks.page(who, after, limit, uow=self.uow_factory())

    def webhook(self, who: Principal, webhook_id: str) -> dict[str, Any]:
        return webhooks.get(who, webhook_id, uow=self.uow_factory())

    def delete_webhook(self, who: Principal, webhook_id: str) -> None:
        webhooks.delete(who, webhook_id, uow=self.uow_factory(), clock=self.clock)

    def rotate_webhook_secret(self, who: Principal, webhook_id: str,
                              overlap_seconds: int) -> dict[str, Any]:
        return webhooks.rotate_secret(who, webhook_id, timedelta(seconds=overlap_seconds),
                                      uow=self.uow_factory(), clock=self.clock, box=self.box)

    def replay_webhook(self, who: Principal, webhook_id: str,
                       since: datetime | None = None) -> int:
        return webhooks.replay(who, webhook_id, since, uow=self.uow_factory(), clock=self.clock)

    def webhook_deliveries(self, who: Principal, webhook_id: str, status: str | None,
                           before: int | None,
                           limit: int) -> tuple[list[dict[str, Any]], int | None]:
        return webhooks.deliveries(who, webhook_id, status, before, limit,
                                   uow=self.uow_factory())

    def deliver_webhooks(self) -> webhook_delivery.DeliveryReport:
        """One pass: queue new feed events for every webhook, then send what is due."""
        return webhook_delivery.deliver(uow=self.uow_factory(), sender=self.sender,
                                        clock=self.clock, policy=self.delivery, rng=self.rng)

    def reseal_webhook_secrets(self) -> webhook_secrets.ResealReport:
        """Seal every stored webhook secret with the first key (`customs webhooks reencrypt`)."""
        if self.key_missing is not None:
            raise SecretsUnavailable("SECRETS_KEY_MISSING", self.key_missing)
        return webhook_secrets.reseal_all(uow=self.uow_factory(), box=self.box)

    def plaintext_webhook_secrets(self) -> int:
        """How many webhooks still hold a secret stored before encryption at rest."""
        count, after = 0, ""
        while True:
            with self.uow_factory() as uow:
                rows = uow.webhooks.stored_secrets(after, PAGE)
            count += sum(1 for r in rows
                         if self.is_plaintext(r.secret) or self.is_plaintext(r.previous_secret))
            if len(rows) < PAGE:
                return count
            after = rows[-1].webhook_id
