"""The webhook events of the OpenAPI document (3.1 top-level `webhooks`): one operation per
event type, its payload the event's model (models_events.py); docs/webhooks.md."""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
HEADERS = {
    "Customs-Webhook-Id": {"schema": _STR, "description": "the webhook this was sent to"},
    "Customs-Event-Type": {"schema": _STR},
    "Customs-Event-Id": {"schema": _STR, "description": "unique per event type"},
    "Customs-Timestamp": {"schema": _STR, "description": "Unix seconds, also signed"},
    "Customs-Signature": {"schema": _STR, "description": "t=<unix>,v1=<hex HMAC-SHA256 of "
                                                         "'<t>.<body>'> (one v1 per secret "
                                                         "in force)"},
}


def webhook_operation(event_type: str, ref: dict[str, Any],
                      schemas: dict[str, Any]) -> dict[str, Any]:
    schema = schemas[ref["$ref"].rsplit("/", 1)[-1]]
    return {"post": {
        "operationId": "on" + "".join(p.title() for p in event_type.replace("_", ".")
                                      .split(".")),
        "tags": ["webhook events"], "summary": schema["description"],
        "parameters": [{"name": name, "in": "header", "required": True, **spec}
                       for name, spec in HEADERS.items()],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": ref, "example": schema["examples"][0]}}},
        "responses": {
            "2XX": {"description": "Delivered; any other answer is retried for "
                                   "CUSTOMS_WEBHOOK_RETRY_HOURS"},
            "429": {"description": "Retried; a Retry-After (seconds or HTTP date) is "
                                   "honoured, up to CUSTOMS_WEBHOOK_RETRY_AFTER_MAX_SECONDS",
                    "headers": {"Retry-After": {"schema": _STR}}},
            "503": {"description": "As 429", "headers": {"Retry-After": {"schema": _STR}}}}}}
