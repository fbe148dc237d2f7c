"""Webhooks: marketplaces and couriers register URLs; the worker delivers the feed to them."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from customs.domain.errors import SecretsUnavailable
from customs.domain.webhooks import Resolver, RetryPolicy
from customs.services import webhook_delivery, webhook_ping, webhook_secrets, webhooks
from customs.services.ports import Clock, Principal
from customs.services.read_models import JsonObject
from customs.services.read_models.webhooks import DeliveryView, PingResult, WebhookView
from customs.services.unit_of_work import UnitOfWork
from customs.services.webhook_ports import SecretBox, WebhookSender
from customs.settings import Settings

PAGE = 500


@dataclass
class Webhooks:
    """`sender` and `rng` may be replaced (tests record deliveries, pin the jitter). The URL
    and retry policies are read from `settings` at each call."""

    settings: Settings
    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    box: SecretBox
    key_missing: str | None  # why nothing can be sealed (no CUSTOMS_SECRETS_KEY), or None
    is_plaintext: Callable[[str | None], bool]
    resolve: Resolver  # host → addresses, to refuse non-public ones
    sender: WebhookSender
    rng: random.Random = field(default_factory=random.Random)

    def create_webhook(self, who: Principal, url: object, from_start: bool = False,
                       events: object = None) -> WebhookView:
        return webhooks.register(who, url, from_start=from_start, uow=self.uow_factory(),
                                 clock=self.clock, policy=self.url_policy(),
                                 new_id=lambda: str(uuid.uuid4()), box=self.box,
                                 events=events)

    def ping_webhook(self, who: Principal, webhook_id: str) -> PingResult:
        """A test event sent now; its delivery and attempt are recorded."""
        return webhook_ping.ping(who, webhook_id, uow=self.uow_factory(), sender=self.sender,
                                 clock=self.clock, policy=self.delivery_policy())

    def webhook_delivery(self, who: Principal, webhook_id: str,
                         delivery_id: int) -> JsonObject:
        return webhooks.delivery(who, webhook_id, delivery_id, uow=self.uow_factory())

    def list_webhooks(self, who: Principal, after: str | None,
                      limit: int) -> tuple[list[WebhookView], str | None]:
        return webhooks.page(who, after, limit, uow=self.uow_factory())

    def webhook(self, who: Principal, webhook_id: str) -> WebhookView:
        return webhooks.get(who, webhook_id, uow=self.uow_factory())

    def delete_webhook(self, who: Principal, webhook_id: str) -> None:
        webhooks.delete(who, webhook_id, uow=self.uow_factory(), clock=self.clock)

    def rotate_webhook_secret(self, who: Principal, webhook_id: str,
                              overlap_seconds: int) -> WebhookView:
        return webhooks.rotate_secret(who, webhook_id, timedelta(seconds=overlap_seconds),
                                      uow=self.uow_factory(), clock=self.clock, box=self.box)

    def replay_webhook(self, who: Principal, webhook_id: str,
                       since: datetime | None = None) -> int:
        return webhooks.replay(who, webhook_id, since, uow=self.uow_factory(), clock=self.clock)

    def webhook_deliveries(self, who: Principal, webhook_id: str, status: str | None,
                           before: int | None,
                           limit: int) -> tuple[list[DeliveryView], int | None]:
        return webhooks.deliveries(who, webhook_id, status, before, limit,
                                   uow=self.uow_factory())

    def deliver_webhooks(self) -> webhook_delivery.DeliveryReport:
        """One pass: queue new feed events for every webhook, then send what is due."""
        return webhook_delivery.deliver(uow=self.uow_factory(), sender=self.sender,
                                        clock=self.clock, policy=self.delivery_policy(),
                                        rng=self.rng)

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

    def url_policy(self) -> webhooks.UrlPolicy:
        return webhooks.UrlPolicy(self.settings.webhook_allow_private_urls, self.resolve)

    def delivery_policy(self) -> webhook_delivery.DeliveryPolicy:
        s = self.settings
        return webhook_delivery.DeliveryPolicy(
            retry=RetryPolicy(base=timedelta(seconds=s.webhook_retry_base_seconds),
                              cap=timedelta(seconds=s.webhook_retry_max_seconds),
                              window=timedelta(hours=s.webhook_retry_hours),
                              retry_after_cap=timedelta(
                                  seconds=s.webhook_retry_after_max_seconds)),
            lease=timedelta(seconds=s.webhook_lease_seconds), urls=self.url_policy(),
            secrets=self.box)
