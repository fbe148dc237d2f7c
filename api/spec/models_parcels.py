"""Bodies of the role-aware parcel operations (api/parcels.py): a parcel, its dossier, a
search page, the feed, statistics, and an officer's decision (a request model)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from api.spec.models_common import (
    Destination,
    Money,
    MoneyIn,
    Page,
    PublicId,
    Status,
    Strict,
    example,
)

_AT = "2026-11-23T10:00:00+00:00"
_DEST = {"country": "RU", "customs_office": "10005020"}
ACTIONS = ("hold", "request_documents", "release", "refuse", "assess_duty")


class ViewEvent(BaseModel):
    status: Status
    previous_status: str | None = None
    at: str
    actor: str | None = None
    role: str | None = None
    source: str | None = None
    reason: str | None = None
    leg: Literal["export", "import"] | None = Field(
        None, description="the leg of a parcel cleared at both ends (null: one leg)")


class ParcelLeg(BaseModel):
    leg: Literal["export", "import"]
    country: str = Field(pattern="^[A-Z]{2}$")
    status: str = Field(description="the leg's status; WAITING for a leg not started yet")


class ParcelVersion(BaseModel):
    version: int
    received_at: str | None = None
    source: str
    actor: str | None = None
    data: dict[str, Any]
    declaration_id: str | None = None
    registration_number: str | None = None
    ordinal: int | None = None
    change_codes: str | None = Field(None, pattern="^[0-9A-Z]{7}$")


class CorrectionRequest(BaseModel):
    registration_number: str
    correct_doc_type: str | None = None
    doc_kind: str | None = None
    limit_at: str | None = None
    violations: list[str] | None = None
    reason: str | None = None
    changes: list[dict[str, Any]] | None = None
    received_at: str | None = None
    corrected_at: str | None = None
    open: bool


class ParcelView(BaseModel):
    model_config = example(
        id="pcl_abcdefghijklmnop", tracking_number="RR123456785CN", status="RELEASED",
        destination=_DEST, marketplace="acme", updated_at=_AT,
        declared_value={"amount": "42.00", "currency": "EUR"},
        history=[{"status": "VALIDATED", "at": _AT, "actor": "marketplace:acme"},
                 {"status": "RELEASED", "previous_status": "DECLARED", "at": _AT,
                  "source": "authority"}])

    id: PublicId
    tracking_number: str | None
    status: Status
    destination: Destination
    courier: str | None = None
    marketplace: str | None = None
    manifest_id: str | None = None
    position: int | None = None
    declared_value: Money | None = None
    gross_weight: str | None = None
    duty: Money | None = None
    received_at: str | None = None
    updated_at: str
    house_waybill: str | None = None
    master_waybill: str | None = None
    data: dict[str, Any] | None = None
    deliver_to: dict[str, Any] | None = Field(None, description="couriers: name, address, "
                                                                "phone")
    violations: list[Any] | None = None
    declaration_error: str | None = None
    history: list[ViewEvent]
    versions: list[ParcelVersion] | None = Field(
        None, description="marketplaces and officers: every version once corrected (1 from "
                          "the manifest, then each correction); empty before")
    correction_request: CorrectionRequest | None = None
    legs: list[ParcelLeg] | None = Field(
        None, description="each leg's status (export at origin, import at destination): "
                          "docs/api.md, Legs; `status` is derived from them")


class Verification(BaseModel):
    valid: bool | None
    reason: str | None = None


class Declaration(BaseModel):
    id: str | None = None
    sha256: str | None = None
    document: str | None = None
    verification: Verification | None = None


class Dossier(ParcelView):
    model_config = example(
        id="pcl_abcdefghijklmnop", tracking_number="RR123456785CN", status="DECLARED",
        destination=_DEST, updated_at=_AT, history=[], batch=None, messages=[], decisions=[],
        declaration={"id": "7b1e0c52-1d7f-4c57-9d8e-0c1f4b0f6a11", "sha256": "ab" * 32,
                     "verification": {"valid": True}})

    declaration: Declaration | None
    batch: dict[str, Any] | None
    messages: list[dict[str, Any]]
    decisions: list[ViewEvent]


class ParcelFound(BaseModel):
    id: PublicId
    tracking_number: str | None
    status: Status
    marketplace: str | None = None
    courier: str | None = None
    destination: Destination | None = None
    declared_value: Money | None = None
    duty: Money | None = None
    received_at: str | None = None
    updated_at: str | None = None


class ParcelSearchPage(Page):
    model_config = example(items=[{"id": "pcl_abcdefghijklmnop",
                                   "tracking_number": "RR123456785CN", "status": "HELD",
                                   "marketplace": "acme", "destination": _DEST}],
                           next_cursor=None, has_more=False)

    items: list[ParcelFound]


class Change(BaseModel):
    event_id: int
    parcel_id: PublicId
    tracking_number: str | None
    house_waybill: str | None = None
    marketplace: str | None = None
    courier: str | None = None
    customs_office: str | None = None
    status: Status
    previous_status: str | None = None
    at: str
    source: str | None = None
    reason: str | None = None
    duty: Money | None = None
    actor: str | None = None
    role: str | None = None
    duty_estimate: dict[str, Any] | None = Field(None, description="estimate made at intake: "
                                                                  "status, amount, currency")
    leg: Literal["export", "import"] | None = None


class FeedPage(Page):
    model_config = example(items=[{"event_id": 41, "parcel_id": "pcl_abcdefghijklmnop",
                                   "tracking_number": "RR123456785CN", "status": "RELEASED",
                                   "previous_status": "DECLARED", "at": _AT}],
                           next_cursor="eyJ...signed", has_more=False)

    items: list[Change]


class Percentiles(BaseModel):
    count: int
    p50: float | None
    p90: float | None
    p99: float | None


class Stats(BaseModel):
    model_config = example(**{"from": "2026-10-24T00:00:00+00:00", "to": _AT}, parcels=120,
                           by_status={"RELEASED": 100, "HELD": 20},
                           by_office={"10005020": {"RELEASED": 100, "HELD": 20}},
                           clearance_seconds={"count": 100, "p50": 3600.0, "p90": 7200.0,
                                              "p99": 86400.0})

    from_: str = Field(alias="from")
    to: str
    parcels: int
    by_status: dict[str, int]
    by_office: dict[str, dict[str, int]]
    clearance_seconds: Percentiles


class Decision(Strict):
    """An officer's decision; the view validates the body with this model."""

    model_config = example(action="hold", reason="invoice missing")

    action: Literal[ACTIONS]  # type: ignore[valid-type]
    reason: str | None = Field(None, description="required for hold, request_documents and "
                                                 "refuse; at most 2,000 characters "
                                                 "(REASON_TOO_LONG)")
    duty: MoneyIn | None = Field(None, description="required for assess_duty")
