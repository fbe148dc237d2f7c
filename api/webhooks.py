"""Webhooks (/v1/webhooks...): register a URL (and the event types it wants), rotate its
secret, replay, ping it, see deliveries and each delivery's attempts.

Every role may register one; it belongs to the tenant and sees what the registering key's feed
shows. Another tenant's webhook id is a 404. See docs/webhooks.md.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from api import params
from api.auth import authenticate_request, principal, roles
from api.body import read_json_object
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.pagination import page, resume_point

hooks = Blueprint("webhooks", __name__, url_prefix="/v1")
hooks.before_request(authenticate_request)
ALL = ("marketplace", "courier", "officer")
WEBHOOK_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_BODY = 16 * 1024


def customs():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"]


@hooks.post("/webhooks")
@roles(*ALL)
@idempotent(MAX_BODY)
def create_webhook() -> tuple[Response, int, dict[str, str]]:
    body = _body({"url", "from", "events"}, required=("url",))
    start = body.get("from", "now")
    if start not in ("now", "start"):
        raise _invalid("from", '"now" (default: only new changes) or "start" (the whole feed)')
    created = customs().webhooks.create_webhook(principal(), body["url"],
                                                from_start=start == "start",
                                                events=body.get("events"))
    return jsonify(created.to_json()), 201, {"Location": f"/v1/webhooks/{created.id}"}


@hooks.get("/webhooks")
@roles(*ALL)
def list_webhooks() -> Response:
    after = resume_point("webhooks")
    if after is not None and not WEBHOOK_ID.match(after):
        raise ApiProblem(400, "INVALID_CURSOR", "the cursor is not one this list returned")
    items, next_after = customs().webhooks.list_webhooks(principal(), after, params.limit())
    return page("webhooks", [i.to_json() for i in items], next_after)


@hooks.get("/webhooks/<webhook_id>")
@roles(*ALL)
def get_webhook(webhook_id: str) -> Response:
    return jsonify(customs().webhooks.webhook(principal(), _id(webhook_id)).to_json())


@hooks.delete("/webhooks/<webhook_id>")
@roles(*ALL)
def delete_webhook(webhook_id: str) -> Response:
    customs().webhooks.delete_webhook(principal(), _id(webhook_id))
    return Response(status=204)


@hooks.post("/webhooks/<webhook_id>/rotate-secret")
@roles(*ALL)
@idempotent(MAX_BODY)
def rotate_secret(webhook_id: str) -> Response:
    body = _body({"overlap_seconds"}, required=(), empty_ok=True)
    overlap = body.get("overlap_seconds", 0)
    if isinstance(overlap, bool) or not isinstance(overlap, int):
        raise _invalid("overlap_seconds", "an integer number of seconds (0 to 604800)")
    if not 0 <= overlap <= 604800:  # checked here too: a huge one cannot become a timedelta
        raise ApiProblem(400, "INVALID_OVERLAP", "overlap_seconds is from 0 to 604800")
    return jsonify(customs().webhooks.rotate_webhook_secret(principal(), _id(webhook_id),
                   overlap).to_json())


@hooks.post("/webhooks/<webhook_id>/replay")
@roles(*ALL)
@idempotent(MAX_BODY)
def replay(webhook_id: str) -> Response:
    body = _body({"since"}, required=(), empty_ok=True)
    since = None
    if body.get("since") is not None:
        since = _instant(body["since"])
    count = customs().webhooks.replay_webhook(principal(), _id(webhook_id), since)
    return jsonify({"replayed": count})


@hooks.get("/webhooks/<webhook_id>/deliveries")
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
@roles(*ALL)
def delivery(webhook_id: str, delivery_id: str) -> Response:
    if not params.is_integer_key(delivery_id):
        raise ApiProblem(404, "NOT_FOUND", f"no delivery {delivery_id[:40]}")
    return jsonify(customs().webhooks.webhook_delivery(principal(), _id(webhook_id),
                                                       int(delivery_id)))


@hooks.post("/webhooks/<webhook_id>/ping")
@roles(*ALL)
def ping(webhook_id: str) -> Response:
    """A test event sent now; 200 whatever the receiver answered (the result says)."""
    _body(set(), required=(), empty_ok=True)
    return jsonify(customs().webhooks.ping_webhook(principal(), _id(webhook_id)).to_json())


def _id(webhook_id: str) -> str:
    """An id that is no webhook's is simply not found (never a 400 that tells ids apart)."""
    if not WEBHOOK_ID.match(webhook_id):
        raise ApiProblem(404, "NOT_FOUND", f"no webhook {webhook_id[:40]}")
    return webhook_id


def _body(allowed: set[str], *, required: tuple[str, ...],
          empty_ok: bool = False) -> dict[str, Any]:
    """A small JSON object with known fields only (an empty body where that is allowed)."""
    body = read_json_object(MAX_BODY, empty_ok=empty_ok)
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _invalid(unknown[0], f"unknown field; expected {', '.join(sorted(allowed))}")
    missing = [name for name in required if name not in body]
    if missing:
        raise _invalid(missing[0], "required")
    return body


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
