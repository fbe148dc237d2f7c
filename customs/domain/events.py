"""Webhook event types, who receives each, and the documents they carry.

`parcel.status_changed` comes from the parcel feed (parcel_events); the others are stored as
they happen (webhook_events), each with its audience: the marketplace tenant it concerns, or
the officers of a customs office. A ping goes to one webhook only and is never fanned out.
An endpoint may filter the types it receives (`events`, default every type); a ping always
reaches it (it is asked for).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from customs.domain.errors import Invalid

PARCEL_STATUS_CHANGED = "parcel.status_changed"
MANIFEST_PROCESSED = "manifest.processed"
MANIFEST_REFUSED = "manifest.refused"
BATCH_FAILED = "batch.failed"
WEBHOOK_PING = "webhook.ping"
# What an endpoint may subscribe to, and what it gets when it names none.
EVENT_TYPES = (PARCEL_STATUS_CHANGED, MANIFEST_PROCESSED, MANIFEST_REFUSED, BATCH_FAILED)
MARKETPLACE = "marketplace"
OFFICER = "officer"


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to store; `tenant_id` for a marketplace audience, `customs_office` for
    officers, `webhook_id` for one webhook (a ping)."""

    type: str
    at: datetime
    audience: str
    data: dict[str, Any]
    tenant_id: int | None = None
    customs_office: str | None = None
    webhook_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    type: str
    at: datetime
    data: dict[str, Any]


def check_event_filter(value: object) -> tuple[str, ...] | None:
    """The event types an endpoint asked for (None: every type), or Invalid."""
    if value is None:
        return None
    if (not isinstance(value, list) or not value or len(value) > len(EVENT_TYPES)
            or not all(isinstance(v, str) for v in value)):
        raise Invalid("INVALID_FIELD", "events: a non-empty list of event types, from "
                                       + ", ".join(EVENT_TYPES))
    unknown = sorted(set(value) - set(EVENT_TYPES))
    if unknown:
        raise Invalid("INVALID_FIELD", f"events: unknown type {unknown[0][:40]!r}; one of "
                                       + ", ".join(EVENT_TYPES))
    return tuple(t for t in EVENT_TYPES if t in value)  # a stable order, no repeats


def wants(events: Sequence[str] | None, event_type: str) -> bool:
    return events is None or event_type in events


def reaches(event: NewEvent, *, webhook_id: str, role: str, tenant_id: int,
            offices: Sequence[str], events: Sequence[str] | None) -> bool:
    """Whether a webhook (of the key scope `role`, `tenant_id`, `offices`; filter `events`)
    receives the event: a ping its own webhook only; otherwise its audience, if wanted."""
    if event.webhook_id is not None:
        return event.webhook_id == webhook_id
    if not wants(events, event.type):
        return False
    if event.audience == MARKETPLACE:
        return role == MARKETPLACE and tenant_id == event.tenant_id
    if event.audience == OFFICER:
        return role == OFFICER and event.customs_office in offices
    return False


def manifest_processed(receipt: dict[str, Any], tenant_id: int, at: datetime) -> NewEvent:
    """The receipt is ready (sync or async): its counts; the whole receipt is at the link."""
    data = {"manifest_id": receipt["id"], "ref": receipt["ref"], "status": "processed",
            "received_at": receipt["received_at"], "parcels": receipt["parcels"],
            "accepted": receipt["accepted"], "rejected": receipt["rejected"],
            "href": f"/v1/manifests/{receipt['id']}"}
    return NewEvent(MANIFEST_PROCESSED, at, MARKETPLACE, data, tenant_id=tenant_id)


def manifest_refused(manifest_id: str, problem: dict[str, Any], tenant_id: int,
                     at: datetime) -> NewEvent:
    """A manifest accepted for later processing was refused as a whole (nothing stored)."""
    data = {"manifest_id": manifest_id, "status": "refused", "code": problem["code"],
            "detail": problem["detail"], "href": f"/v1/manifests/{manifest_id}"}
    return NewEvent(MANIFEST_REFUSED, at, MARKETPLACE, data, tenant_id=tenant_id)


@dataclass(frozen=True, slots=True)
class BatchShare:
    """The parcels of one tenant in a batch."""

    tenant_id: int
    tracking_numbers: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FailedBatch:
    id: str
    message_id: str
    customs_office: str
    reason: str


def batch_failed(batch: FailedBatch, shares: Sequence[BatchShare],
                 at: datetime) -> list[NewEvent]:
    """One event for each marketplace with parcels in the batch (its parcels only), and one
    for the officers of the batch's office (the count)."""
    base = {"batch_id": batch.id, "message_id": batch.message_id,
            "customs_office": batch.customs_office, "reason": batch.reason[:500]}
    events = [NewEvent(BATCH_FAILED, at, MARKETPLACE,
                       {**base, "parcels": len(s.tracking_numbers),
                        "tracking_numbers": s.tracking_numbers}, tenant_id=s.tenant_id)
              for s in shares]
    total = sum(len(s.tracking_numbers) for s in shares)
    events.append(NewEvent(BATCH_FAILED, at, OFFICER, {**base, "parcels": total},
                           customs_office=batch.customs_office))
    return events


def ping(webhook_id: str, tenant_id: int, at: datetime) -> NewEvent:
    return NewEvent(WEBHOOK_PING, at, "webhook",
                    {"webhook_id": webhook_id, "message": "a test event you asked for"},
                    tenant_id=tenant_id, webhook_id=webhook_id)
