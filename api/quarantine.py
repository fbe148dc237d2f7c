"""/v1/authority/quarantine: authority messages set aside (unverifiable, unreadable, unmatched
or unmappable), listed and replayed by the people who look after intake.

Officers (and operators, where the role exists) only: a quarantined message may be anything
anyone pushed, so the listing shows what it is (code, reason, size, digest), never its
content; the document itself is read with `customs quarantine show` on the server."""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, Response, current_app, jsonify, request

from api.auth import authenticate_request, roles
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.pagination import page, resume_point
from api.params import INTEGER, is_integer_key, limit
from api.spec.models_ops import QuarantineItem as Item
from api.spec.models_ops import QuarantinePage
from api.spec.params import PAGE
from api.spec.registry import Param, Reply, operation
from customs.services.ports import QuarantineItem

quarantine = Blueprint("quarantine", __name__, url_prefix="/v1/authority/quarantine")
quarantine.before_request(authenticate_request)
STAFF = ("officer", "operator")
STATUSES = ("QUARANTINED", "REPLAYED")
ITEM = (Param("item_id", "path", int, "the quarantined message's id (one quarantine for "
                                      "all staff, not per tenant)"),)


def _customs():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"]


def item_json(item: QuarantineItem) -> dict[str, Any]:
    return {"id": item.id, "received_at": item.received_at.isoformat(),
            "channel": item.channel, "origin": item.origin, "code": item.code,
            "detail": item.detail, "sha256": item.sha256, "size": item.size,
            "status": item.status, "attempts": item.attempts,
            "resolved_at": None if item.resolved_at is None else item.resolved_at.isoformat(),
            "result": item.result}


@quarantine.get("")
@operation("listQuarantine", "authority", "Authority messages set aside (officers, "
           "operators), oldest first", Reply("A page of quarantined messages", QuarantinePage),
           params=(Param("status", "query", Literal[STATUSES], "default QUARANTINED"), *PAGE),
           errors=((400, "INVALID_STATUS, INVALID_CURSOR or INVALID_LIMIT"), 401, 403))
@roles(*STAFF)
def list_quarantine() -> Response:
    """Oldest first; `status` QUARANTINED (default) or REPLAYED; pages as every list."""
    status = request.args.get("status", "QUARANTINED")
    if status not in STATUSES:
        raise ApiProblem(400, "INVALID_STATUS", "status must be QUARANTINED or REPLAYED")
    after = resume_point(f"quarantine:{status}") or "0"
    if not is_integer_key(after):
        raise ApiProblem(400, "INVALID_CURSOR", "the cursor is not one this list returned")
    size = limit()
    items = _customs().authority.quarantined(status=status, after=int(after), limit=size + 1)
    more = len(items) > size
    return page(f"quarantine:{status}", [item_json(i) for i in items[:size]],
                str(items[size - 1].id) if more else None)


@quarantine.get("/<int:item_id>")
@operation("getQuarantined", "authority", "A quarantined message (not its content)",
           Reply("The quarantined message (not its content)", Item), params=ITEM,
           errors=(401, 403, (404, "QUARANTINE_NOT_FOUND")))
@roles(*STAFF)
def get_quarantined(item_id: int) -> Response:
    item = _customs().authority.quarantine_item(item_id) if item_id < INTEGER else None
    if item is None:
        raise ApiProblem(404, "QUARANTINE_NOT_FOUND", f"no quarantined message {item_id}")
    return jsonify(item_json(item))


@quarantine.post("/<int:item_id>/replay")
@operation("replayQuarantined", "authority", "Apply a quarantined message again, once its "
           "cause is fixed", Reply("Applied: now REPLAYED with the outcome", Item),
           params=ITEM, errors=(401, 403, (404, "QUARANTINE_NOT_FOUND"),
                                (409, "QUARANTINE_STILL_REFUSED: replayed, and still refused "
                                      "(the reason is updated)")))
@roles(*STAFF)
@idempotent()
def replay(item_id: int) -> Response:
    """Apply the message again (after its cause was fixed); 409 if it is still refused."""
    received = _customs().authority.replay_quarantined(item_id) if item_id < INTEGER else None
    if received is None:
        raise ApiProblem(404, "QUARANTINE_NOT_FOUND", f"no quarantined message {item_id}")
    if received.report is None:
        raise ApiProblem(409, "QUARANTINE_STILL_REFUSED",
                         f"{received.code}: {received.detail}", quarantine_id=item_id)
    return jsonify(item_json(_customs().authority.quarantine_item(item_id)))
