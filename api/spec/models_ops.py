"""Bodies of rates, authority notifications, the quarantine and the operations endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.spec.models_common import Amount, Currency, Page, Strict, example


class Rate(BaseModel):
    date: str = Field(json_schema_extra={"format": "date"})
    currency: Currency
    base: Currency
    rate: Amount = Field(description="1 currency = rate base")


class RateIn(Strict):
    date: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    currency: Currency
    base: Currency
    rate: Amount = Field(description="1 currency = rate base")


class RatesUpload(Strict):
    """PUT /v1/rates as JSON; the view validates with it (422 RATES_INVALID)."""

    model_config = example(rates=[{"date": "2026-12-01", "currency": "EUR", "base": "RUB",
                                   "rate": "92.1234"}])

    rates: list[RateIn]


class RatePage(Page):
    model_config = example(**{"from": "2026-11-01", "to": "2026-11-30"},
                           items=[{"date": "2026-11-23", "currency": "EUR", "base": "RUB",
                                   "rate": "92.1234"}], next_cursor=None, has_more=False)

    from_: str = Field(alias="from")
    to: str
    items: list[Rate]


class RatesLoaded(BaseModel):
    model_config = example(loaded=1)

    loaded: int


class ApplyReport(BaseModel):
    model_config = example(message_id="b7f9f7a4-1f0e-4c3e-8f7d-5a0c2d1e9b21", duplicate=False,
                           applied=3, ignored=0, orphaned=0, noted=0, pending=0, set_aside=0)

    message_id: str
    duplicate: bool
    applied: int
    ignored: int
    orphaned: int
    noted: int | None = Field(None, description="decisions recorded on the parcel's history "
                                                "without a move (FTS 50, 62, 70)")
    pending: int | None = Field(None, description="decisions that arrived before the one "
                                                  "they follow: kept, applied in their turn")
    set_aside: int | None = Field(None, description="decisions with a code the service does "
                                                    "not know: the parcel is HELD for a "
                                                    "person, the raw code as the event's "
                                                    "source")


class QuarantineItem(BaseModel):
    model_config = example(id=7, received_at="2026-11-23T10:00:00+00:00", channel="push",
                           code="SIGNATURE_INVALID", detail="the signature does not verify",
                           sha256="ab" * 32, size=2048, status="QUARANTINED", attempts=0)

    id: int
    received_at: str | None = None
    channel: Literal["push", "poll"] | None = None
    origin: str | None = None
    code: str = Field(description="SIGNATURE_INVALID, MESSAGE_INVALID, MESSAGE_UNEXPECTED, "
                                  "MESSAGE_UNMATCHED or MESSAGE_UNMAPPABLE")
    detail: str | None = None
    sha256: str | None = None
    size: int | None = None
    status: Literal["QUARANTINED", "REPLAYED"]
    attempts: int | None = None
    resolved_at: str | None = None
    result: str | None = None


class QuarantinePage(Page):
    model_config = example(items=[], next_cursor=None, has_more=False)

    items: list[QuarantineItem]


class Signing(BaseModel):
    configured: bool
    fingerprint: str | None = None
    subject: str | None = None
    not_after: str | None = None
    days_left: int | None = None
    expiring: bool | None = None
    expired: bool | None = None


class Health(BaseModel):
    model_config = example(status="ok", database="ok", version="1.0.0",
                           signing={"configured": True, "days_left": 200, "expiring": False})

    status: Literal["ok", "warning"]
    database: str | None = None
    version: str | None = None
    signing: Signing | None = None


class Readiness(BaseModel):
    """Which checks passed (database, schema at head, certificate in force)."""

    model_config = example(status="ready", database=True, schema=True,
                           schema_revision="0009", signing=True)

    status: Literal["ready", "not ready"]
    database: bool
    schema_: bool = Field(alias="schema", description="at this release's head")
    schema_revision: str | None
    signing: bool = Field(description="a configured certificate in force")

