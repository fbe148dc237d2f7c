"""The webhook operations of the OpenAPI document, and the 429 every API-key operation may get.

Merged into api.openapi in one line each (paths, schemas, rate limits).
"""

from __future__ import annotations

from typing import Any

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_SECURE = [{"bearerAuth": []}]
_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_NTIME = {"type": ["string", "null"], "format": "date-time"}
_ID = {"name": "webhook_id", "in": "path", "required": True, "schema": {"type": "string"}}
_LIMIT = {"name": "limit", "in": "query",
          "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}}
_EVENT_TYPES = {"type": "string", "enum": ["parcel.status_changed", "manifest.processed",
                                           "manifest.refused", "batch.failed"]}
_TEXT = {400: "Bad request (body, field or parameter; see code)", 401: "No valid API key",
         404: "Not found (or another tenant's)", 409: "Too many webhooks for the tenant",
         413: "Body over 16 KiB", 415: "Not application/json",
         422: "The URL's host is not a public address"}


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": _TEXT[c], "content": PROBLEM} for c in codes}


def _body(ref: str, required: bool) -> dict[str, Any]:
    return {"required": required, "content": _json(ref)}


def _op(op_id: str, summary: str, responses: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"operationId": op_id, "tags": ["webhooks"], "security": _SECURE,
            "summary": summary, **more, "responses": responses}


WEBHOOK_PATHS: dict[str, Any] = {
    "/v1/webhooks": {
        "post": _op("createWebhook", "Register a URL; each change the key's feed shows is "
                                     "POSTed to it, signed (docs/webhooks.md)",
                    {"201": {"description": "Registered; the secret is shown only now",
                             "headers": {"Location": {"schema": _STR}},
                             "content": _json("WebhookWithSecret")},
                     **_errors(400, 401, 409, 413, 415, 422)},
                    requestBody=_body("WebhookCreate", True)),
        "get": _op("listWebhooks", "The tenant's webhooks",
                   {"200": {"description": "A page of webhooks",
                            "content": _json("WebhookPage")}, **_errors(400, 401)},
                   parameters=[_LIMIT, {"name": "cursor", "in": "query", "schema": _STR,
                                        "description": "next_cursor of the previous page"}])},
    "/v1/webhooks/{webhook_id}": {
        "get": _op("getWebhook", "One webhook",
                   {"200": {"description": "The webhook", "content": _json("Webhook")},
                    **_errors(401, 404)}, parameters=[_ID]),
        "delete": _op("deleteWebhook", "Stop and remove a webhook",
                      {"204": {"description": "Deleted"}, **_errors(401, 404)},
                      parameters=[_ID])},
    "/v1/webhooks/{webhook_id}/rotate-secret": {
        "post": _op("rotateWebhookSecret", "A new secret; the old one also signs until the "
                                           "overlap ends",
                    {"200": {"description": "Rotated; the new secret is shown only now",
                             "content": _json("WebhookWithSecret")},
                     **_errors(400, 401, 404, 413, 415)},
                    parameters=[_ID], requestBody=_body("RotateSecret", False))},
    "/v1/webhooks/{webhook_id}/replay": {
        "post": _op("replayWebhook", "Queue again the deliveries that failed for good",
                    {"200": {"description": "How many deliveries were queued again",
                             "content": _json("ReplayReport")},
                     **_errors(400, 401, 404, 413, 415)},
                    parameters=[_ID], requestBody=_body("Replay", False))},
    "/v1/webhooks/{webhook_id}/deliveries": {
        "get": _op("listWebhookDeliveries", "Deliveries, newest first",
                   {"200": {"description": "A page of deliveries",
                            "content": _json("DeliveryPage")}, **_errors(400, 401, 404)},
                   parameters=[_ID, _LIMIT,
                               {"name": "status", "in": "query", "schema": {
                                   "type": "string",
                                   "enum": ["pending", "delivered", "failed"]}},
                               {"name": "cursor", "in": "query", "schema": _STR,
                                "description": "next_cursor of the previous page"}])},
    "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}": {
        "get": _op("getWebhookDelivery", "One delivery with every attempt made: time, status "
                                         "code, duration, error",
                   {"200": {"description": "The delivery and its attempt history",
                            "content": _json("DeliveryDetail")}, **_errors(401, 404)},
                   parameters=[_ID, {"name": "delivery_id", "in": "path", "required": True,
                                     "schema": {"type": "string"}}])},
    "/v1/webhooks/{webhook_id}/ping": {
        "post": _op("pingWebhook", "Send a test event (webhook.ping) now and say how the "
                                   "receiver answered",
                    {"200": {"description": "Sent (or not): delivered, status code, duration, "
                                            "error; the delivery is readable afterwards",
                             "content": _json("PingResult")},
                     **_errors(400, 401, 404, 413, 415)},
                    parameters=[_ID],
                    requestBody={"required": False, "content": {"application/json": {
                        "schema": {"type": "object", "additionalProperties": False}}}})},
}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


_EVENTS = {"type": ["array", "null"], "items": _EVENT_TYPES,
           "description": "the event types it receives (null: every type)"}
_WEBHOOK = _obj(["id", "url", "scope", "created_at", "previous_secret_until"], id=_STR,
                url=_STR, created_at=_TIME, previous_secret_until=_NTIME, events=_EVENTS,
                scope=_obj(["role", "courier", "offices"],
                           role={"type": "string",
                                 "enum": ["marketplace", "courier", "officer"]},
                           courier=_NSTR, offices={"type": "array", "items": _STR}))
_DELIVERY = _obj(["id", "event_id", "status", "attempts", "created_at"],
                 id={"type": "integer"}, event_id={"type": "integer"},
                 event_type={"type": "string", "description": "the event's type; event ids "
                             "are unique per type"},
                 status={"type": "string", "enum": ["pending", "delivered", "failed"]},
                 attempts={"type": "integer"}, created_at=_TIME, first_attempt_at=_NTIME,
                 next_attempt_at=_NTIME, delivered_at=_NTIME,
                 last_status={"type": ["integer", "null"]}, last_error=_NSTR)

_ATTEMPT = _obj(["at", "status_code", "duration_ms", "error"], at=_TIME,
                status_code={"type": ["integer", "null"],
                             "description": "the receiver's HTTP status (null: no reply)"},
                duration_ms={"type": ["integer", "null"]}, error=_NSTR)

WEBHOOK_SCHEMAS: dict[str, Any] = {
    "WebhookCreate": {**_obj(["url"], url={"type": "string", "maxLength": 2048},
                             **{"from": {"type": "string", "enum": ["now", "start"],
                                         "default": "now"}},
                             events={"type": ["array", "null"], "items": _EVENT_TYPES,
                                     "minItems": 1, "maxItems": 4,
                                     "description": "receive only these types (default, or "
                                                    "null: every type; webhook.ping always)"}),
                      "additionalProperties": False},
    "Webhook": _WEBHOOK,
    "WebhookWithSecret": {"allOf": [{"$ref": "#/components/schemas/Webhook"},
                                    _obj(["secret"], secret=_STR)]},
    "WebhookPage": _obj(["items", "next_cursor"], next_cursor=_NSTR,
                        items={"type": "array", "items": {"$ref": "#/components/schemas/"
                                                                  "Webhook"}}),
    "RotateSecret": {**_obj([], overlap_seconds={"type": "integer", "minimum": 0,
                                                 "maximum": 604800, "default": 0}),
                     "additionalProperties": False},
    "Replay": {**_obj([], since={"type": ["string", "null"], "format": "date-time"}),
               "additionalProperties": False},
    "ReplayReport": _obj(["replayed"], replayed={"type": "integer"}),
    "Delivery": _DELIVERY,
    "Attempt": _ATTEMPT,
    "DeliveryDetail": {"allOf": [{"$ref": "#/components/schemas/Delivery"},
                                 _obj(["attempt_history"], attempt_history={
                                     "type": "array", "description": "oldest first",
                                     "items": {"$ref": "#/components/schemas/Attempt"}})]},
    "PingResult": {"allOf": [_obj(["delivery_id", "event_id", "delivered"],
                                  delivery_id={"type": "integer"}, event_id={"type": "integer"},
                                  delivered={"type": "boolean"}),
                             {"$ref": "#/components/schemas/Attempt"}]},
    "DeliveryPage": _obj(["items", "next_cursor"], next_cursor=_NSTR,
                         items={"type": "array",
                                "items": {"$ref": "#/components/schemas/Delivery"}}),
}

_RATE_HEADERS = {
    "Retry-After": {"schema": {"type": "integer", "minimum": 1},
                    "description": "seconds until a request may succeed"},
    "RateLimit-Limit": {"schema": {"type": "integer"}},
    "RateLimit-Remaining": {"schema": {"type": "integer"}},
    "RateLimit-Reset": {"schema": {"type": "integer"},
                        "description": "seconds until the window resets"},
}


def with_rate_limits(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation called with an API key may be refused with 429 (per-key limits)."""
    for operations in paths.values():
        for operation in operations.values():
            if operation.get("security"):
                operation["responses"].setdefault("429", {
                    "description": "Over the API key's rate limit (code RATE_LIMITED)",
                    "headers": _RATE_HEADERS, "content": PROBLEM})
    return paths
