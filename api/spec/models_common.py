"""Shapes shared by many bodies: money, destinations, statuses, problems, the page envelope.

Money is a decimal string with a pattern, never a JSON number (STYLE.md: pydantic's Decimal
schema is number-or-string). Response models ignore unknown fields; request models (Strict)
forbid them and are validated in strict mode, so a JSON `true` is never an integer."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.spec.codes import PROBLEM_CODES
from customs.domain.lifecycle import ParcelStatus

Amount = Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$", examples=["12.50"])]
PlainAmount = Annotated[str, Field(pattern=r"^[0-9]{1,15}(\.[0-9]{1,4})?$", examples=["12.50"])]
Currency = Annotated[str, Field(pattern="^[A-Z]{3}$", examples=["EUR"])]
PublicId = Annotated[str, Field(pattern="^pcl_[a-z2-7]{16}$",
                                description="the parcel's public id: stable, opaque")]
Status = Literal[tuple(s.value for s in ParcelStatus)]  # type: ignore[valid-type]
Instant = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class Strict(BaseModel):
    """A request body: unknown fields are refused, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Money(BaseModel):
    amount: Amount
    currency: Currency


class MoneyIn(Strict):
    """Money in a request: a non-negative decimal string of at most 4 decimals."""

    amount: PlainAmount
    currency: Currency


class Destination(BaseModel):
    country: str
    customs_office: str


class Violation(BaseModel):
    code: str
    message: str
    path: str | None = None
    line: int | None = None
    value: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details; `code` is one of docs/errors.md."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": "urn:customs:problem:not-found", "title": "Not Found", "status": 404,
        "detail": "no parcel RR123456785CN", "instance": "/v1/parcels/RR123456785CN",
        "code": "NOT_FOUND", "request_id": "4f1c2a9e0b7d4e55"}]})

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: Literal[PROBLEM_CODES] | None = None  # type: ignore[valid-type]
    violations: list[Violation] | None = None
    request_id: str | None = None
    pointer: str | None = Field(None, description="INVALID_QUOTE: the JSON Pointer of the "
                                                  "value at fault")
    field: str | None = Field(None, description="INVALID_FIELD: the field at fault")
    ids: list[str] | None = Field(None, description="409 TRACKING_NUMBER_AMBIGUOUS: the "
                                                    "public ids of the parcels")
    parcel: dict[str, Any] | None = Field(None, description="412 PRECONDITION_FAILED: the "
                                                            "parcel's current state")
    version: str | None = Field(None, description="412 PRECONDITION_FAILED: the parcel's "
                                                  "current version (its ETag)")


class Page(BaseModel):
    """The one page envelope (api/pagination.py); subclasses add `items`."""

    next_cursor: str | None = Field(description="the cursor of the next page; null on the "
                                                "last page (the feed's is never null: poll it)")
    has_more: bool = Field(description="whether a next page may hold items")


def example(**values: Any) -> ConfigDict:
    """A model's example, copied into every operation that answers with it."""
    return ConfigDict(json_schema_extra={"examples": [values]})
