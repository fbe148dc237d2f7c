"""Replies of the manifest operations (api/manifests.py): receipts, a manifest's state, its
parcels, a correction's receipt."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel

from api.spec.models_common import (
    Destination,
    Instant,
    Money,
    Page,
    PublicId,
    Status,
    Violation,
    example,
)

_AT = "2026-11-23T10:00:00+00:00"
_MANIFEST_ID = "3f0b6c1e-8a3e-4d1b-9a55-2b8f6f3c9d10"


class Rejection(BaseModel):
    position: int
    tracking_number: str | None = None
    line: int | None = None
    violations: list[Violation]
    violations_omitted: int | None = None


class Receipt(BaseModel):
    model_config = example(
        id=_MANIFEST_ID, ref="ACME-2026-11-23-001", received_at=_AT,
        destination={"country": "RU", "customs_office": "10005020"}, parcels=2, accepted=1,
        rejected=1, rejections=[{"position": 2, "tracking_number": "RR123456785CN",
                                 "violations": [{"code": "HS_CODE_UNKNOWN",
                                                 "message": "HS code 999999 is not known"}]}])

    id: str
    ref: str
    received_at: Instant
    destination: Destination | None = None
    document_sha256: str | None = None
    parcels: int
    accepted: int
    rejected: int
    rejections: list[Rejection]
    violations_omitted: int | None = None


class Manifest(BaseModel):
    model_config = example(id=_MANIFEST_ID, status="processed", ref="ACME-2026-11-23-001",
                           received_at=_AT, parcels=2, accepted=2, rejected=0,
                           document_size=48213, receipt=None)

    id: str
    status: Literal["processed"]
    ref: str
    issued_at: str | None = None
    received_at: str | None = None
    destination: Destination | None = None
    transport: dict[str, Any] | None = None
    document_sha256: str | None = None
    document_size: int | None = None
    parcels: int
    accepted: int
    rejected: int
    receipt: Receipt | None = Field(None, description="the receipt (null for manifests stored "
                                                      "before receipts were kept)")


class ManifestProblem(BaseModel):
    code: str
    detail: str
    violations: list[Violation] | None = None


class ManifestProcessing(BaseModel):
    """A manifest stored for a worker: `processing` until its receipt is ready (then GET
    answers the Manifest), or `refused` / `failed` with the problem (nothing of it was
    stored)."""

    model_config = example(id=_MANIFEST_ID, status="processing", received_at=_AT,
                           document_sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15"
                                           "d6c15b0f00a08", document_size=48213)

    id: str
    status: Literal["processing", "refused", "failed"]
    received_at: Instant
    document_sha256: str
    document_size: int
    problem: ManifestProblem | None = None


class ManifestSubmitted(RootModel[Receipt | ManifestProcessing]):
    """The receipt, or (asynchronous intake) the manifest's status `processing`."""


class ManifestState(RootModel[Manifest | ManifestProcessing]):
    """The manifest with its receipt, or its status while a worker has yet to process it."""


class ParcelSummary(BaseModel):
    id: PublicId
    position: int
    tracking_number: str | None = None
    manifest_id: str
    courier: str | None = None
    status: Status
    destination: Destination | None = None
    declared_value: Money | None = None
    gross_weight: str | None = None
    violations: list[Violation] | None = None
    updated_at: str | None = None


class ParcelPage(Page):
    model_config = example(items=[{
        "id": "pcl_abcdefghijklmnop", "position": 1, "tracking_number": "RR123456785CN",
        "manifest_id": _MANIFEST_ID, "status": "VALIDATED",
        "destination": {"country": "RU", "customs_office": "10005020"},
        "declared_value": {"amount": "42.00", "currency": "EUR"}, "gross_weight": "0.450"}],
        next_cursor=None, has_more=False)

    items: list[ParcelSummary]


class CorrectionReceipt(BaseModel):
    model_config = example(tracking_number="RR123456785CN", version=2, status="DECLARED",
                           declaration_id="7b1e0c52-1d7f-4c57-9d8e-0c1f4b0f6a11",
                           registration_number="10005020/231126/0000001", ordinal=1,
                           change_codes="0100000", received_at=_AT)

    tracking_number: str
    version: int
    status: Status
    declaration_id: str
    registration_number: str
    ordinal: int
    change_codes: str = Field(pattern="^[0-9A-Z]{7}$")
    received_at: str
