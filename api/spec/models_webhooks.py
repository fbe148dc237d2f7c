"""Bodies of /v1/webhooks...: the registration, rotation, replay and ping requests (the views
validate with these models) and the webhook, delivery and attempt replies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.spec.models_common import Instant, Page, Strict, example
from customs.domain.events import EVENT_TYPES

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]
_AT = "2026-11-23T10:00:00+00:00"
_HOOK = dict(id="5d0f3c9e-2a7b-4c1d-8e6f-0a1b2c3d4e5f", url="https://shop.example/hooks/customs",
             scope={"role": "marketplace", "courier": None, "offices": []}, created_at=_AT,
             previous_secret_until=None, events=["manifest.processed"])


class WebhookCreate(Strict):
    model_config = example(url="https://shop.example/hooks/customs",
                           events=["manifest.processed", "parcel.status_changed"])

    url: str = Field(description="http or https, a public host, at most 2048 characters "
                                 "(WEBHOOK_URL_INVALID, WEBHOOK_URL_FORBIDDEN)")
    from_: Literal["now", "start"] = Field("now", alias="from",
                                           description="now: only new changes; start: the "
                                                       "whole feed")
    events: list[EventType] | None = Field(
        None, min_length=1, max_length=len(EVENT_TYPES),
        description="receive only these types (default, or null: every type; webhook.ping "
                    "always)")


class RotateSecret(Strict):
    model_config = example(overlap_seconds=3600)

    overlap_seconds: int = Field(0, ge=0, le=604800, description="how long the old secret "
                                                                 "also signs (INVALID_OVERLAP)")


class Replay(Strict):
    model_config = example(since="2026-11-23T00:00:00Z")

    since: str | None = Field(None, max_length=40, json_schema_extra={"format": "date-time"},
                              description="with a UTC offset; default: every failed delivery")


class Ping(Strict):
    """No fields: an empty object (or no body)."""

    model_config = example()


class Scope(BaseModel):
    role: Literal["marketplace", "courier", "officer"]
    courier: str | None
    offices: list[str]


class Webhook(BaseModel):
    model_config = example(**_HOOK)

    id: str
    url: str
    scope: Scope
    created_at: Instant
    previous_secret_until: Instant | None
    events: list[EventType] | None = Field(None, description="the event types it receives "
                                                             "(null: every type)")


class WebhookWithSecret(Webhook):
    model_config = example(**_HOOK, secret="whsec_3b1f0e9c6d2a4b8e")  # noqa: S106 (an example)

    secret: str


class WebhookPage(Page):
    model_config = example(items=[_HOOK], next_cursor=None, has_more=False)

    items: list[Webhook]


class ReplayReport(BaseModel):
    model_config = example(replayed=3)

    replayed: int


class Delivery(BaseModel):
    id: int
    event_id: int
    event_type: str | None = Field(None, description="the event's type; event ids are unique "
                                                     "per type")
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    created_at: Instant
    first_attempt_at: Instant | None = None
    next_attempt_at: Instant | None = None
    delivered_at: Instant | None = None
    last_status: int | None = None
    last_error: str | None = None


_DELIVERY = dict(id=12, event_id=41, event_type="manifest.processed", status="delivered",
                 attempts=1, created_at=_AT, first_attempt_at=_AT, delivered_at=_AT,
                 last_status=200)


class Attempt(BaseModel):
    at: Instant
    status_code: int | None = Field(description="the receiver's HTTP status (null: no reply)")
    duration_ms: int | None
    error: str | None


class DeliveryDetail(Delivery):
    model_config = example(**_DELIVERY, attempt_history=[
        {"at": _AT, "status_code": 200, "duration_ms": 35, "error": None}])

    attempt_history: list[Attempt] = Field(description="oldest first")


class DeliveryPage(Page):
    model_config = example(items=[_DELIVERY], next_cursor=None, has_more=False)

    items: list[Delivery]


class PingResult(Attempt):
    model_config = example(delivery_id=13, event_id=1, delivered=True, at=_AT, status_code=200,
                           duration_ms=40, error=None)

    delivery_id: int
    event_id: int
    delivered: bool
