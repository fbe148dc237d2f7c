"""The ports that webhooks need (the SQL adapter: customs.adapters.database.webhook_repository)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from customs.domain.events import BatchShare, NewEvent, StoredEvent
from customs.domain.feed import FeedPosition
from customs.services.ports import FeedItem, Principal
from customs.services.read_models.feed import FeedChange
from customs.services.read_models.webhooks import AttemptView, DeliveryView, WebhookView


@dataclass(frozen=True, slots=True)
class NewWebhook:
    id: str
    owner: Principal
    url: str
    secret: str  # sealed (SecretBox), as stored
    cursor: str
    at: datetime
    events: tuple[str, ...] | None = None  # the types it receives (None: every type)


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """An active webhook and the scope it reads the feed with."""

    id: str
    scope: Principal
    cursor: str
    events: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class DueDelivery:
    id: int
    webhook_id: str
    event_id: int
    attempts: int  # attempts made before this one
    first_attempt_at: datetime | None
    url: str
    scope: Principal
    secret: str  # sealed, as stored: SecretBox.open before signing
    previous_secret: str | None
    previous_secret_until: datetime | None
    event_type: str = "parcel.status_changed"  # other types: event_id is a webhook_events id


@dataclass(frozen=True, slots=True)
class SendResult:
    status: int | None  # HTTP status, None when no reply came
    error: str | None
    duration_ms: int | None = None  # from the request to the reply's end (or the failure)
    retry_after: str | None = None  # the receiver's Retry-After header, as sent

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookSender(Protocol):
    def send(self, url: str, headers: dict[str, str], body: bytes,
             address: str | None = None) -> SendResult:
        """POST; with `address`, connect to that IP (already checked), not to a new lookup."""
        ...


class SecretBox(Protocol):
    """Webhook signing secrets at rest: sealed before they are stored, opened to sign.
    Raises SecretsUnavailable when no key can do it."""

    def seal(self, secret: str) -> str: ...
    def open(self, stored: str) -> str: ...
    def reseal(self, stored: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class StoredSecrets:
    webhook_id: str
    secret: str
    previous_secret: str | None


class EventRepository(Protocol):
    """Events other than parcel status changes (customs.domain.events), and the readings
    needed to address them."""

    def add(self, events: Sequence[NewEvent]) -> list[int]:
        """Store them and queue a delivery of each to every active webhook it reaches
        (customs.domain.events.reaches), in the caller's transaction."""
        ...
    def get(self, event_id: int) -> StoredEvent | None: ...
    def batch_audience(self, batch_id: str) -> tuple[str, list[BatchShare]]:
        """The batch's customs office, and its parcels' tracking numbers by tenant."""
        ...


class WebhookRepository(Protocol):
    def add(self, hook: NewWebhook) -> None: ...
    def count(self, tenant_id: int) -> int: ...
    def get(self, who: Principal, webhook_id: str) -> WebhookView | None: ...
    def page(self, who: Principal, after: str | None, limit: int) -> list[WebhookView]: ...
    def delete(self, webhook_id: str, at: datetime) -> None: ...
    def secret(self, webhook_id: str) -> str: ...
    def rotate(self, webhook_id: str, secret: str, previous: str | None,
               previous_until: datetime | None) -> None: ...
    def stored_secrets(self, after: str, limit: int) -> list[StoredSecrets]: ...
    def replace_secrets(self, before: StoredSecrets, after: StoredSecrets) -> bool: ...
    def replay(self, webhook_id: str, since: datetime | None, at: datetime) -> int: ...
    def deliveries(self, webhook_id: str, status: str | None, before: int | None,
                   limit: int) -> list[DeliveryView]: ...
    def feed_end(self) -> FeedPosition: ...
    def active(self, limit: int, at: datetime) -> list[WebhookTarget]: ...
    def enqueue(self, target: WebhookTarget, items: Sequence[FeedItem], cursor: str,
                at: datetime) -> bool: ...
    def add_delivery(self, webhook_id: str, event_id: int, event_type: str, at: datetime,
                     lease_until: datetime, owner: str) -> int:
        """A delivery claimed at once by `owner` (a ping, sent now)."""
        ...
    def claimed(self, delivery_id: int) -> DueDelivery | None: ...
    def delivery(self, webhook_id: str, delivery_id: int) -> DeliveryView | None: ...
    def attempts(self, delivery_id: int, limit: int) -> list[AttemptView]: ...
    def claim_due(self, at: datetime, lease_until: datetime, limit: int,
                  owner: str) -> list[DueDelivery]: ...
    def renew(self, delivery_id: int, owner: str, lease_until: datetime) -> bool: ...
    def event_fields(self, event_id: int) -> FeedChange | None: ...
    def outcome(self, delivery_id: int, *, status: str, result: SendResult, at: datetime,
                next_attempt_at: datetime | None, owner: str) -> None: ...
    def release(self, delivery_ids: Sequence[int], next_attempt_at: datetime,
                at: datetime, owner: str) -> None: ...
