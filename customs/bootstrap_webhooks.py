"""The Customs facade's webhook operations. Mixed into customs.bootstrap.Customs."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from customs.domain.webhooks import RetryPolicy
from customs.services import webhook_delivery, webhooks
from customs.services.ports import Principal


class WebhooksFacade:
    settings: Any
    clock: Any
    webhook_sender: Any = None  # tests may put their own; default: HTTP
    webhook_rng: Any = None  # tests may put their own; default: random.Random()

    def uow(self) -> Any: ...

    def _url_policy(self) -> webhooks.UrlPolicy:
        from customs.adapters.webhook_http import resolve

        return webhooks.UrlPolicy(self.settings.webhook_allow_private_urls, resolve)

    def create_webhook(self, who: Principal, url: object,
                       from_start: bool = False) -> dict[str, Any]:
        return webhooks.register(who, url, from_start=from_start, uow=self.uow(),
                                 clock=self.clock, policy=self._url_policy(),
                                 new_id=lambda: str(uuid.uuid4()))

    def list_webhooks(self, who: Principal, after: str | None,
                      limit: int) -> tuple[list[dict[str, Any]], str | None]:
        return webhooks.page(who, after, limit, uow=self.uow())

    def webhook(self, who: Principal, webhook_id: str) -> dict[str, Any]:
        return webhooks.get(who, webhook_id, uow=self.uow())

    def delete_webhook(self, who: Principal, webhook_id: str) -> None:
        webhooks.delete(who, webhook_id, uow=self.uow(), clock=self.clock)

    def rotate_webhook_secret(self, who: Principal, webhook_id: str,
                              overlap_seconds: int) -> dict[str, Any]:
        return webhooks.rotate_secret(who, webhook_id, timedelta(seconds=overlap_seconds),
                                      uow=self.uow(), clock=self.clock)

    def replay_webhook(self, who: Principal, webhook_id: str,
                       since: datetime | None = None) -> int:
        return webhooks.replay(who, webhook_id, since, uow=self.uow(), clock=self.clock)

    def webhook_deliveries(self, who: Principal, webhook_id: str, status: str | None,
                           before: int | None,
                           limit: int) -> tuple[list[dict[str, Any]], int | None]:
        return webhooks.deliveries(who, webhook_id, status, before, limit, uow=self.uow())

    def deliver_webhooks(self) -> webhook_delivery.DeliveryReport:
        """One pass: queue new feed events for every webhook, then send what is due."""
        s = self.settings
        policy = webhook_delivery.DeliveryPolicy(
            retry=RetryPolicy(base=timedelta(seconds=s.webhook_retry_base_seconds),
                              cap=timedelta(seconds=s.webhook_retry_max_seconds),
                              window=timedelta(hours=s.webhook_retry_hours)),
            lease=timedelta(seconds=s.webhook_lease_seconds), urls=self._url_policy())
        return webhook_delivery.deliver(uow=self.uow(), sender=self._webhook_sender(),
                                        clock=self.clock, policy=policy,
                                        rng=self.webhook_rng or random.Random())  # noqa: S311

    def _webhook_sender(self) -> Any:
        if self.webhook_sender is not None:
            return self.webhook_sender
        from customs.adapters.webhook_http import HttpWebhookSender

        return HttpWebhookSender(self.settings.webhook_connect_timeout_seconds,
                                 self.settings.webhook_timeout_seconds)
