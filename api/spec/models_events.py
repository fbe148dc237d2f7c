"""The webhook events (the OpenAPI document's `webhooks`): what a receiver gets POSTed.

Every payload is `{"id", "type", "created_at", "data"}`, signed in `Customs-Signature`; ids are
unique per type. The client (customs_client/) parses these shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.spec.models_common import Instant, example
from api.spec.models_parcels import Change

_AT = "2026-11-23T10:00:00+00:00"


class ManifestProcessedData(BaseModel):
    manifest_id: str
    ref: str
    status: Literal["processed"]
    received_at: Instant | None = None
    parcels: int
    accepted: int
    rejected: int
    href: str = Field(description="GET it for the whole receipt")


class ManifestRefusedData(BaseModel):
    manifest_id: str
    status: Literal["refused"]
    code: str
    detail: str
    href: str


class BatchFailedData(BaseModel):
    batch_id: str
    message_id: str
    customs_office: str
    reason: str
    parcels: int
    tracking_numbers: list[str] | None = Field(None, description="the marketplace's parcels "
                                                                 "in the batch (not sent to "
                                                                 "officers)")


class PingData(BaseModel):
    webhook_id: str
    message: str


class ParcelStatusChangedEvent(BaseModel):
    """A parcel in the key's scope changed status: `data` is the change as the feed shows
    it."""

    model_config = example(id=41, type="parcel.status_changed", created_at=_AT, data={
        "event_id": 41, "parcel_id": "pcl_abcdefghijklmnop",
        "tracking_number": "RR123456785CN", "status": "RELEASED",
        "previous_status": "DECLARED", "at": _AT})

    id: int
    type: Literal["parcel.status_changed"]
    created_at: Instant
    data: Change


class ManifestProcessedEvent(BaseModel):
    """A manifest's receipt is ready (synchronous or asynchronous intake); marketplaces."""

    model_config = example(id=7, type="manifest.processed", created_at=_AT, data={
        "manifest_id": "3f0b6c1e-8a3e-4d1b-9a55-2b8f6f3c9d10", "ref": "ACME-1",
        "status": "processed", "parcels": 2, "accepted": 2, "rejected": 0,
        "href": "/v1/manifests/3f0b6c1e-8a3e-4d1b-9a55-2b8f6f3c9d10"})

    id: int
    type: Literal["manifest.processed"]
    created_at: Instant
    data: ManifestProcessedData


class ManifestRefusedEvent(BaseModel):
    """A manifest stored for a worker was refused as a whole (nothing of it was stored), or
    could not be processed (code MANIFEST_PROCESSING_FAILED); marketplaces."""

    model_config = example(id=8, type="manifest.refused", created_at=_AT, data={
        "manifest_id": "3f0b6c1e-8a3e-4d1b-9a55-2b8f6f3c9d10", "status": "refused",
        "code": "MANIFEST_NOT_WELL_FORMED", "detail": "the document ended early",
        "href": "/v1/manifests/3f0b6c1e-8a3e-4d1b-9a55-2b8f6f3c9d10"})

    id: int
    type: Literal["manifest.refused"]
    created_at: Instant
    data: ManifestRefusedData


class BatchFailedEvent(BaseModel):
    """A batch was refused by the authority or exhausted its retries: its parcels are
    TRANSMISSION_FAILED until an operator retries it; marketplaces with parcels in it, and
    the officers of its office."""

    model_config = example(id=3, type="batch.failed", created_at=_AT, data={
        "batch_id": "b1", "message_id": "m1", "customs_office": "10005020",
        "reason": "refused by the authority", "parcels": 12})

    id: int
    type: Literal["batch.failed"]
    created_at: Instant
    data: BatchFailedData


class WebhookPingEvent(BaseModel):
    """The test event of POST /v1/webhooks/{webhook_id}/ping."""

    model_config = example(id=1, type="webhook.ping", created_at=_AT, data={
        "webhook_id": "5d0f3c9e-2a7b-4c1d-8e6f-0a1b2c3d4e5f", "message": "ping"})

    id: int
    type: Literal["webhook.ping"]
    created_at: Instant
    data: PingData


EVENTS: dict[str, type[BaseModel]] = {
    "parcel.status_changed": ParcelStatusChangedEvent,
    "manifest.processed": ManifestProcessedEvent,
    "manifest.refused": ManifestRefusedEvent,
    "batch.failed": BatchFailedEvent,
    "webhook.ping": WebhookPingEvent,
}
