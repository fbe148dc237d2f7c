"""The Customs facade's webhook operations. Mixed into customs.bootstrap.Customs."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from customs.domain.errors import SecretsUnavailable
from customs.domain.webhooks import RetryPolicy
from customs.services import webhook_delivery, webhook_secrets, webhooks
from customs.services.ports import Principal
from customs.services.read_models.webhooks import DeliveryView, WebhookView


def generate_secrets_key() -> str:
    """A new key for CUSTOMS_SECRETS_KEY."""
    from customs.adapters.webhooks.secret_box import generate_key

    return generate_key()


class WebhooksFacade:
    settings: Any
    clock: Any
    webhook_sender: Any = None  # tests may put their own; default: HTTP
    webhook_rng: Any = None  # tests may put their own; default: random.Random()

    def uow(self) -> Any: ...

    def secret_box(self) -> Any:
        """Seals and opens webhook secrets with CUSTOMS_SECRETS_KEY (validated in Settings)."""
        from customs.adapters.webhooks.secret_box import FernetSecretBox, parse_keys

        return FernetSecretBox(parse_keys(self.settings.secrets_key))

    def reseal_webhook_secrets(self) -> webhook_secrets.ResealReport:
        """Seal every stored webhook secret with the first key (`customs webhooks reencrypt`)."""
        from customs.adapters.webhooks.secret_box import MISSING

        if not self.settings.secrets_key:
            raise SecretsUnavailable("SECRETS_KEY_MISSING", MISSING)
        return webhook_secrets.reseal_all(uow=self.uow(), box=self.secret_box())

    def plaintext_webhook_secrets(self) -> int:
        """How many webhooks still hold a secret stored before encryption at rest."""
        from customs.adapters.webhooks.secret_box import is_plaintext

        count, after = 0, ""
        while True:
            with self.uow() as uow:
                rows = uow.webhooks.stored_secrets(after, 500)
            count += sum(1 for r in rows
                         if is_plaintext(r.secret) or is_plaintext(r.previous_secret))
            if len(rows) < 500:
                return count
            after = rows[-1].webhook_id

    def _url_policy(self) -> webhooks.UrlPolicy:
        from customs.adapters.webhooks.http_sender import resolve

        return webhooks.UrlPolicy(self.settings.webhook_allow_private_urls, resolve)

    def create_webhook(self, who: Principal, url: object,
                       from_start: bool = False) -> WebhookView:
        return webhooks.register(who, url, from_start=from_start, uow=self.uow(),
                                 clock=self.clock, policy=self._url_policy(),
                                 new_id=lambda: str(uuid.uuid4()), box=self.secret_box())

    def list_webhooks(self, who: Principal, after: str | None,
                      limit: int) -> tuple[list[WebhookView], str | None]:
        return webhooks.page(who, after, limit, uow=self.uow())

    def webhook(self, who: Principal, webhook_id: str) -> WebhookView:
        return webhooks.get(who, webhook_id, uow=self.uow())

    def delete_webhook(self, who: Principal, webhook_id: str) -> None:
        webhooks.delete(who, webhook_id, uow=self.uow(), clock=self.clock)

    def rotate_webhook_secret(self, who: Principal, webhook_id: str,
                              overlap_seconds: int) -> WebhookView:
        return webhooks.rotate_secret(who, webhook_id, timedelta(seconds=overlap_seconds),
                                      uow=self.uow(), clock=self.clock, box=self.secret_box())

    def replay_webhook(self, who: Principal, webhook_id: str,
                       since: datetime | None = None) -> int:
        return webhooks.replay(who, webhook_id, since, uow=self.uow(), clock=self.clock)

    def webhook_deliveries(self, who: Principal, webhook_id: str, status: str | None,
                           before: int | None,
                           limit: int) -> tuple[list[DeliveryView], int | None]:
        return webhooks.deliveries(who, webhook_id, status, before, limit, uow=self.uow())

    def deliver_webhooks(self) -> webhook_delivery.DeliveryReport:
        """One pass: queue new feed events for every webhook, then send what is due."""
        s = self.settings
        policy = webhook_delivery.DeliveryPolicy(
            retry=RetryPolicy(base=timedelta(seconds=s.webhook_retry_base_seconds),
                              cap=timedelta(seconds=s.webhook_retry_max_seconds),
                              window=timedelta(hours=s.webhook_retry_hours)),
            lease=timedelta(seconds=s.webhook_lease_seconds), urls=self._url_policy(),
            secrets=self.secret_box())
        return webhook_delivery.deliver(uow=self.uow(), sender=self._webhook_sender(),
                                        clock=self.clock, policy=policy,
                                        rng=self.webhook_rng or random.Random())  # noqa: S311

    def _webhook_sender(self) -> Any:
        if self.webhook_sender is not None:
            return self.webhook_sender
        from customs.adapters.webhooks.http_sender import HttpWebhookSender

        return HttpWebhookSender(self.settings.webhook_connect_timeout_seconds,
                                 self.settings.webhook_timeout_seconds)
