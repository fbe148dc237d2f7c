"""Typed results: the parts of a reply an integration uses, as attributes; `raw` keeps the
whole JSON object (the service adds fields without a new version). Money is Decimal, never
float."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Json = dict[str, Any]


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, value: Json | None) -> Money | None:
        return None if value is None else cls(Decimal(value["amount"]), value["currency"])


@dataclass(frozen=True)
class Receipt:
    """A manifest's receipt (or, when answered asynchronously, its status `processing`)."""

    id: str
    status: str
    ref: str | None
    parcels: int | None
    accepted: int | None
    rejected: int | None
    rejections: list[Json]
    location: str | None = None
    replayed: bool = False
    raw: Json = field(default_factory=dict, repr=False)

    @property
    def processing(self) -> bool:
        return self.status == "processing"

    @classmethod
    def of(cls, body: Json, location: str | None = None, replayed: bool = False) -> Receipt:
        return cls(body["id"], body.get("status", "processed"), body.get("ref"),
                   body.get("parcels"), body.get("accepted"), body.get("rejected"),
                   body.get("rejections", []), location, replayed, body)


@dataclass(frozen=True)
class ManifestState:
    """GET /v1/manifests/{id}: `processed` with its receipt, or processing/refused/failed."""

    id: str
    status: str
    receipt: Receipt | None
    problem: Json | None
    raw: Json = field(repr=False)

    @property
    def done(self) -> bool:
        return self.status != "processing"

    @classmethod
    def of(cls, body: Json) -> ManifestState:
        receipt = body.get("receipt")
        return cls(body["id"], body["status"],
                   None if receipt is None else Receipt.of({**receipt, "status": "processed"}),
                   body.get("problem"), body)


@dataclass(frozen=True)
class Parcel:
    id: str
    tracking_number: str | None
    status: str
    raw: Json = field(repr=False)

    @classmethod
    def of(cls, body: Json) -> Parcel:
        return cls(body["id"], body.get("tracking_number"), body["status"], body)


@dataclass(frozen=True)
class Quote:
    status: str
    amount: Money | None
    goods_value: Money
    steps: list[Json]
    raw: Json = field(repr=False)

    @classmethod
    def of(cls, body: Json) -> Quote:
        goods = body["goods_value"]
        return cls(body["status"], Money.of(body.get("amount")),
                   Money(Decimal(goods["amount"]), goods["currency"]), body["steps"], body)


@dataclass(frozen=True)
class Webhook:
    id: str
    url: str
    events: list[str] | None
    secret: str | None
    raw: Json = field(repr=False)

    @classmethod
    def of(cls, body: Json) -> Webhook:
        return cls(body["id"], body["url"], body.get("events"), body.get("secret"), body)


@dataclass(frozen=True)
class Event:
    """A webhook delivery's payload, once its signature holds (webhooks.parse_event)."""

    id: int
    type: str
    created_at: str
    data: Json

    @classmethod
    def of(cls, body: Json) -> Event:
        return cls(body["id"], body["type"], body["created_at"], body["data"])


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: every list of the API has this envelope (docs/api.md)."""

    items: list[T]
    next_cursor: str | None
    has_more: bool

    @classmethod
    def of(cls, body: Json, item: Callable[[Json], T]) -> Page[T]:
        return cls([item(i) for i in body["items"]], body["next_cursor"], body["has_more"])
