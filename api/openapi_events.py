"""The webhook events of the OpenAPI document (3.1 top-level `webhooks`): what a receiver
gets POSTed, one operation per event type, and the payload schemas (docs/webhooks.md).

Every payload is `{"id", "type", "created_at", "data"}`, signed in `Customs-Signature`; ids are
unique per type (`Customs-Event-Type` and `Customs-Event-Id` name the event)."""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_INT = {"type": "integer"}
_TIME = {"type": "string", "format": "date-time"}
_HEADERS = {
    "Customs-Webhook-Id": {"schema": _STR, "description": "the webhook this was sent to"},
    "Customs-Event-Type": {"schema": _STR},
    "Customs-Event-Id": {"schema": _STR, "description": "unique per event type"},
    "Customs-Timestamp": {"schema": _STR, "description": "Unix seconds, also signed"},
    "Customs-Signature": {"schema": _STR, "description": "t=<unix>,v1=<hex HMAC-SHA256 of "
                                                         "'<t>.<body>'> (one v1 per secret "
                                                         "in force)"},
}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


def _envelope(event_type: str, data: dict[str, Any], description: str) -> dict[str, Any]:
    return {**_obj(["id", "type", "created_at", "data"], id=_INT,
                   type={"type": "string", "const": event_type}, created_at=_TIME, data=data),
            "description": description}


_PARCEL_CHANGE = _obj(
    ["event_id", "tracking_number", "status", "at"], event_id=_INT, tracking_number=_NSTR,
    house_waybill=_NSTR, marketplace=_STR, courier=_NSTR, customs_office=_NSTR,
    status={"$ref": "#/components/schemas/Status"}, previous_status=_NSTR, at=_STR,
    source=_NSTR, reason=_NSTR, duty={"type": ["object", "null"]},
    duty_estimate={"type": ["object", "null"]}, actor=_NSTR, role=_NSTR)
_PROCESSED = _obj(["manifest_id", "ref", "status", "parcels", "accepted", "rejected", "href"],
                  manifest_id=_STR, ref=_STR, status={"const": "processed"},
                  received_at=_TIME, parcels=_INT, accepted=_INT, rejected=_INT,
                  href={"type": "string", "description": "GET it for the whole receipt"})
_REFUSED = _obj(["manifest_id", "status", "code", "detail", "href"], manifest_id=_STR,
                status={"const": "refused"}, code=_STR, detail=_STR, href=_STR)
_BATCH = _obj(["batch_id", "message_id", "customs_office", "reason", "parcels"],
              batch_id=_STR, message_id=_STR, customs_office=_STR, reason=_STR, parcels=_INT,
              tracking_numbers={"type": "array", "items": _STR,
                                "description": "the marketplace's parcels in the batch "
                                               "(not sent to officers)"})
_PING = _obj(["webhook_id", "message"], webhook_id=_STR, message=_STR)

EVENT_SCHEMAS: dict[str, Any] = {
    "ParcelStatusChangedEvent": _envelope(
        "parcel.status_changed", _PARCEL_CHANGE,
        "A parcel in the key's scope changed status (as the feed shows it)"),
    "ManifestProcessedEvent": _envelope(
        "manifest.processed", _PROCESSED,
        "A manifest's receipt is ready (synchronous or asynchronous intake); marketplaces"),
    "ManifestRefusedEvent": _envelope(
        "manifest.refused", _REFUSED,
        "A manifest stored for a worker was refused as a whole (nothing of it was stored), "
        "or could not be processed (code MANIFEST_PROCESSING_FAILED); marketplaces"),
    "BatchFailedEvent": _envelope(
        "batch.failed", _BATCH,
        "A batch was refused by the authority or exhausted its retries: its parcels are "
        "TRANSMISSION_FAILED until an operator retries it; marketplaces with parcels in it, "
        "and the officers of its office"),
    "WebhookPingEvent": _envelope(
        "webhook.ping", _PING, "The test event of POST /v1/webhooks/{webhook_id}/ping"),
}


def _receive(event_type: str, schema: str) -> dict[str, Any]:
    return {"post": {
        "operationId": "on" + "".join(p.title() for p in event_type.replace("_", ".")
                                      .split(".")),
        "tags": ["webhook events"], "summary": EVENT_SCHEMAS[schema]["description"],
        "parameters": [{"name": name, "in": "header", "required": True, **spec}
                       for name, spec in _HEADERS.items()],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{schema}"}}}},
        "responses": {
            "2XX": {"description": "Delivered; any other answer is retried for "
                                   "CUSTOMS_WEBHOOK_RETRY_HOURS"},
            "429": {"description": "Retried; a Retry-After (seconds or HTTP date) is "
                                   "honoured, up to CUSTOMS_WEBHOOK_RETRY_AFTER_MAX_SECONDS",
                    "headers": {"Retry-After": {"schema": _STR}}},
            "503": {"description": "As 429", "headers": {"Retry-After": {"schema": _STR}}}}}}


WEBHOOK_EVENTS: dict[str, Any] = {
    "parcel.status_changed": _receive("parcel.status_changed", "ParcelStatusChangedEvent"),
    "manifest.processed": _receive("manifest.processed", "ManifestProcessedEvent"),
    "manifest.refused": _receive("manifest.refused", "ManifestRefusedEvent"),
    "batch.failed": _receive("batch.failed", "BatchFailedEvent"),
    "webhook.ping": _receive("webhook.ping", "WebhookPingEvent"),
}
