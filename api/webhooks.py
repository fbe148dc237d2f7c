"""Webhooks (/v1/webhooks...): register a URL (and the event types it wants), rotate its
secret, replay, ping it, see deliveries and each delivery's attempts.

Every role may register one; it belongs to the tenant and sees what the registering key's feed
shows. Another tenant's webhook id is a 404. See docs/webhooks.md.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal, TypeVar

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import BaseModel

from api import params
from api.auth import authenticate_request, principal, roles
from api.body import read_json_object
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.pagination import page, resume_point
from api.spec import models_webhooks as m
from api.spec.params import LOCATION, PAGE
from api.spec.registry import Param, Reply, operation
from api.spec.validate import field_of, validated

M = TypeVar("M", bound=BaseModel)
hooks = Blueprint("webhooks", __name__, url_prefix="/v1")
hooks.before_request(authenticate_request)
ALL = ("marketplace", "courier", "officer")
WEBHOOK_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_BODY = 16 * 1024
HOOK = (Param("webhook_id", "path", str, example="5d0f3c9e-2a7b-4c1d-8e6f-0a1b2c3d4e5f"),)
BAD = (400, "INVALID_FIELD (`field`: the field at fault) or a body that is not a bounded "
            "JSON object")
SMALL = (413, "Body over 16 KiB (BODY_TOO_LARGE)")


def customs():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"]


@hooks.post("/webhooks")
@operation("createWebhook", "webhooks", "Register a URL; each change the key's feed shows is "
           "POSTed to it, signed (docs/webhooks.md)",
           Reply("Registered; the secret is shown only now", m.WebhookWithSecret, 201,
                 headers=LOCATION), body=m.WebhookCreate,
           errors=((400, "INVALID_FIELD or WEBHOOK_URL_INVALID"), 401,
                   (409, "WEBHOOK_LIMIT_REACHED: too many webhooks for the tenant"), SMALL,
                   415, (422, "WEBHOOK_URL_FORBIDDEN: the URL's host is not a public address"),
                   (503, "SECRETS_KEY_MISSING: secrets cannot be sealed")))
@roles(*ALL)
@idempotent(MAX_BODY)
def create_webhook() -> tuple[Response, int, dict[str, str]]:
    body = _body(m.WebhookCreate)
    created = customs().webhooks.create_webhook(principal(), body.url,
                                                from_start=body.from_ == "start",
                                                events=body.events)
    return jsonify(created.to_json()), 201, {"Location": f"/v1/webhooks/{created.id}"}


@hooks.get("/webhooks")
@operation("listWebhooks", "webhooks", "The tenant's webhooks",
           Reply("A page of webhooks", m.WebhookPage), params=PAGE, errors=(400, 401))
@roles(*ALL)
def list_webhooks() -> Response:
    after = resume_point("webhooks")
    if after is not None and not WEBHOOK_ID.match(after):
        raise ApiProblem(400, "INVALID_CURSOR", "the cursor is not one this list returned")
    items, next_after = customs().webhooks.list_webhooks(principal(), after, params.limit())
    return page("webhooks", [i.to_json() for i in items], next_after)


@hooks.get("/webhooks/<webhook_id>")
@operation("getWebhook", "webhooks", "One webhook", Reply("The webhook", m.Webhook),
           params=HOOK, errors=(401, 404))
@roles(*ALL)
def get_webhook(webhook_id: str) -> Response:
    return jsonify(customs().webhooks.webhook(principal(), _id(webhook_id)).to_json())


@hooks.delete("/webhooks/<webhook_id>")
@operation("deleteWebhook", "webhooks", "Stop and remove a webhook", Reply("Deleted", status=204),
           params=HOOK, errors=(401, 404))
@roles(*ALL)
def delete_webhook(webhook_id: str) -> Response:
    customs().webhooks.delete_webhook(principal(), _id(webhook_id))
    return Response(status=204)


@hooks.post("/webhooks/<webhook_id>/rotate-secret")
@operation("rotateWebhookSecret", "webhooks", "A new secret; the old one also signs until the "
           "overlap ends", Reply("Rotated; the new secret is shown only now",
                                 m.WebhookWithSecret),
           params=HOOK, body=m.RotateSecret, body_required=False,
           errors=((400, "INVALID_FIELD or INVALID_OVERLAP"), 401, 404, SMALL, 415,
                   (503, "SECRETS_KEY_MISSING: secrets cannot be sealed")))
@roles(*ALL)
@idempotent(MAX_BODY)
def rotate_secret(webhook_id: str) -> Response:
    overlap = _body(m.RotateSecret, empty_ok=True).overlap_seconds  # a huge one is refused:
    return jsonify(customs().webhooks.rotate_webhook_secret(  # it cannot become a timedelta
        principal(), _id(webhook_id), overlap).to_json())


@hooks.post("/webhooks/<webhook_id>/replay")
@operation("replayWebhook", "webhooks", "Queue again the deliveries that failed for good",
           Reply("How many deliveries were queued again", m.ReplayReport), params=HOOK,
           body=m.Replay, body_required=False, errors=(BAD, 401, 404, SMALL, 415))
@roles(*ALL)
@idempotent(MAX_BODY)
def replay(webhook_id: str) -> Response:
    body = _body(m.Replay, empty_ok=True)
    since = None if body.since is None else _instant(body.since)
    count = customs().webhooks.replay_webhook(principal(), _id(webhook_id), since)
    return jsonify({"replayed": count})


@hooks.get("/webhooks/<webhook_id>/deliveries")
@operation("listWebhookDeliveries", "webhooks", "Deliveries, newest first",
           Reply("A page of deliveries", m.DeliveryPage),
           params=(*HOOK, Param("status", "query", Literal["pending", "delivered", "failed"]),
                   *PAGE), errors=(400, 401, 404))
@roles(*ALL)
def deliveries(webhook_id: str) -> Response:
    status = request.args.get("status")
    raw = resume_point(f"deliveries:{webhook_id}")
    if raw is not None and not params.is_integer_key(raw):
        raise ApiProblem(400, "INVALID_CURSOR", "the cursor is not one this list returned")
    items, before = customs().webhooks.webhook_deliveries(
        principal(), _id(webhook_id), status, None if raw is None else int(raw),
        params.limit())
    return page(f"deliveries:{webhook_id}", [i.to_json() for i in items],
                None if before is None else str(before))


@hooks.get("/webhooks/<webhook_id>/deliveries/<delivery_id>")
@operation("getWebhookDelivery", "webhooks", "One delivery with every attempt made: time, "
           "status code, duration, error",
           Reply("The delivery and its attempt history", m.DeliveryDetail),
           params=(*HOOK, Param("delivery_id", "path", str, example="12")), errors=(401, 404))
@roles(*ALL)
def delivery(webhook_id: str, delivery_id: str) -> Response:
    if not params.is_integer_key(delivery_id):
        raise ApiProblem(404, "NOT_FOUND", f"no delivery {delivery_id[:40]}")
    return jsonify(customs().webhooks.webhook_delivery(principal(), _id(webhook_id),
                                                       int(delivery_id)))


@hooks.post("/webhooks/<webhook_id>/ping")
@operation("pingWebhook", "webhooks", "Send a test event (webhook.ping) now and say how the "
           "receiver answered", Reply("Sent (or not): delivered, status code, duration, "
                                      "error; the delivery is readable afterwards",
                                      m.PingResult),
           params=HOOK, body=m.Ping, body_required=False, errors=(BAD, 401, 404, SMALL, 415))
@roles(*ALL)
def ping(webhook_id: str) -> Response:
    """A test event sent now; 200 whatever the receiver answered (the result says)."""
    _body(m.Ping, empty_ok=True)
    return jsonify(customs().webhooks.ping_webhook(principal(), _id(webhook_id)).to_json())


def _id(webhook_id: str) -> str:
    """An id that is no webhook's is simply not found (never a 400 that tells ids apart)."""
    if not WEBHOOK_ID.match(webhook_id):
        raise ApiProblem(404, "NOT_FOUND", f"no webhook {webhook_id[:40]}")
    return webhook_id


def _body(model: type[M], *, empty_ok: bool = False) -> M:
    """A small JSON object validated with its model (an empty body where that is allowed)."""
    return validated(model, read_json_object(MAX_BODY, empty_ok=empty_ok), _refused)


def _refused(pointer: str, message: str) -> ApiProblem:
    field = field_of(pointer)
    if field == "overlap_seconds" and ("greater" in message or "less" in message):
        return ApiProblem(400, "INVALID_OVERLAP", "overlap_seconds is from 0 to 604800")
    return _invalid(field, message)


def _invalid(field: str, detail: str) -> ApiProblem:
    return ApiProblem(400, "INVALID_FIELD", f"{field}: {detail}", field=field)


def _instant(value: object) -> datetime:
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError(value)
        parsed = params.in_range(datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        raise _invalid("since", "an ISO 8601 date-time with offset "
                                "(2026-11-23T10:00:00Z), years 1900 to 9000") from None
    if parsed.tzinfo is None:
        raise _invalid("since", "give the UTC offset (Z or +03:00)")
    return parsed
