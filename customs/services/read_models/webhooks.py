"""Webhooks as their tenant sees them, and the deliveries made to them."""

from __future__ import annotations

from dataclasses import dataclass

from customs.services.read_models import JsonObject


@dataclass(frozen=True, slots=True)
class WebhookScope:
    """The scope of the key that registered the webhook: what its feed shows."""

    role: str
    courier: str | None
    offices: list[str]

    def to_json(self) -> JsonObject:
        return {"role": self.role, "courier": self.courier, "offices": self.offices}


@dataclass(frozen=True, slots=True)
class WebhookView:
    id: str
    url: str
    scope: WebhookScope
    created_at: str | None
    previous_secret_until: str | None
    secret: str | None = None  # shown once: when registered or rotated, never when read
    events: list[str] | None = None  # the event types it receives (None: every type)

    def to_json(self) -> JsonObject:
        shown = {"id": self.id, "url": self.url, "scope": self.scope.to_json(),
                 "created_at": self.created_at,
                 "previous_secret_until": self.previous_secret_until,
                 "events": self.events}
        if self.secret is not None:
            shown["secret"] = self.secret
        return shown

    def audited(self) -> JsonObject:
        """What the audit trail keeps of it (never the secret)."""
        return {"url": self.url, "scope": self.scope.to_json(),
                "previous_secret_until": self.previous_secret_until, "events": self.events}


@dataclass(frozen=True, slots=True)
class DeliveryView:
    id: int
    event_id: int
    status: str
    attempts: int
    created_at: str | None
    first_attempt_at: str | None
    next_attempt_at: str | None
    delivered_at: str | None
    last_status: int | None
    last_error: str | None
    event_type: str = "parcel.status_changed"

    def to_json(self) -> JsonObject:
        return {"id": self.id, "event_id": self.event_id, "event_type": self.event_type,
                "status": self.status,
                "attempts": self.attempts, "created_at": self.created_at,
                "first_attempt_at": self.first_attempt_at,
                "next_attempt_at": self.next_attempt_at, "delivered_at": self.delivered_at,
                "last_status": self.last_status, "last_error": self.last_error}


@dataclass(frozen=True, slots=True)
class AttemptView:
    """One attempt to deliver: when, the receiver's status (None: no reply), how long."""

    at: str | None
    status_code: int | None
    duration_ms: int | None
    error: str | None

    def to_json(self) -> JsonObject:
        return {"at": self.at, "status_code": self.status_code,
                "duration_ms": self.duration_ms, "error": self.error}


@dataclass(frozen=True, slots=True)
class PingResult:
    """A ping sent now: its delivery (readable with its attempts) and how it went."""

    delivery_id: int
    event_id: int
    delivered: bool
    attempt: AttemptView

    def to_json(self) -> JsonObject:
        return {"delivery_id": self.delivery_id, "event_id": self.event_id,
                "delivered": self.delivered, **self.attempt.to_json()}
