"""Parcels for every role (/v1/parcels...), officer decisions, statistics and the feed.

Thin handlers: parse, call the use cases, shape the reply. Scope (which parcels a key may
see) is applied below, in the services: another tenant's parcel is a 404 like a missing one.
`{parcel}` in a path is the parcel's public id (`pcl_...`) or its tracking number. A parcel's
ETag is its version (If-Match on decisions); a signed declaration's, its SHA-256.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from api import params
from api.auth import authenticate_request, principal, roles
from api.body import read_json_object
from api.errors import ApiProblem
from api.etags import if_match, immutable
from api.idempotency import idempotent
from api.pagination import page, resume_point
from customs.domain.errors import PreconditionFailed

views = Blueprint("views", __name__, url_prefix="/v1")
views.before_request(authenticate_request)
ALL = ("marketplace", "courier", "officer")
COURIER_HIDDEN = ("value_min", "value_max", "currency", "q", "hs", "marketplace")
ACTIONS = ("hold", "request_documents", "release", "refuse", "assess_duty")


def customs():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"]


def _marketplace() -> str | None:
    """Officers and couriers may name the marketplace when tracking numbers collide."""
    return params.text("marketplace")


@views.get("/parcels")
@roles(*ALL)
def search_parcels() -> Response:
    sort = params.sort()
    if principal().role == "courier":  # what a courier is not shown, it may not filter on
        hidden = [p for p in COURIER_HIDDEN if p in request.args] + (
            ["sort"] if sort.lstrip("-") == "value" else [])
        if hidden:
            raise params.bad(hidden[0], "not available to couriers (the delivery view has no "
                                        "goods, values or marketplace)")
    filters = params.search_filters(principal().cursor_owner, resume_point("parcels"))
    items, after = customs().parcels.search_parcels(principal(), filters, params.limit())
    return page("parcels", [i.to_json() for i in items], None if after is None
                else params.encode_keyset(sort, *after, principal().cursor_owner))


@views.get("/parcels/<parcel>")
@roles(*ALL)
def get_parcel(parcel: str) -> Response:
    view = customs().parcels.parcel(principal(), parcel, _marketplace())
    response = jsonify(view.to_json())
    response.set_etag(customs().parcels.version(view))
    return response


@views.get("/parcels/<parcel>/declaration")
@roles("marketplace", "officer")
def get_declaration(parcel: str) -> Response:
    """The signed declaration exactly as signed (verify it with the published certificate);
    immutable: its ETag is its SHA-256, If-None-Match answers 304."""
    document = customs().parcels.declaration(principal(), parcel, _marketplace())
    return immutable(document, "application/xml")


@views.get("/parcels/<parcel>/dossier")
@roles("officer")
def get_dossier(parcel: str) -> Response:
    dossier = customs().parcels.dossier(principal(), parcel, _marketplace())
    return jsonify(dossier.to_json())


@views.post("/parcels/<parcel>/decisions")
@roles("officer")
@idempotent()
def record_decision(parcel: str) -> Response:
    body = _json_object()
    action = body.get("action")
    if action not in ACTIONS:
        raise ApiProblem(400, "INVALID_DECISION", f"action must be one of {', '.join(ACTIONS)}")
    reason = body.get("reason")
    if reason is not None and not (isinstance(reason, str) and params.is_text(reason)):
        raise ApiProblem(400, "INVALID_DECISION", "reason must be a string of printable text "
                                                  "(no NUL or unpaired surrogates)")
    duty = body.get("duty")
    money = None
    if duty is not None:
        if (not isinstance(duty, dict) or not isinstance(duty.get("amount"), str)
                or not params.AMOUNT.match(duty["amount"])
                or not isinstance(duty.get("currency"), str)
                or not params.CURRENCY.match(duty["currency"])):
            raise ApiProblem(400, "INVALID_DECISION", 'duty is {"amount": "12.50", "currency": '
                                                      '"EUR"} (amount a decimal string)')
        money = (duty["amount"], duty["currency"])
    try:
        view = customs().parcels.decide(principal(), parcel, action, reason, money,
                                        _marketplace(), if_match=if_match())
    except PreconditionFailed as exc:  # the current state, and its version as the ETag
        raise ApiProblem(412, exc.code, exc.detail, headers={
            "ETag": f'"{exc.extra["version"]}"'}, **exc.extra) from None
    response = jsonify(view.to_json())
    response.set_etag(customs().parcels.version(view))
    return response



@views.get("/stats")
@roles(*ALL)
def stats() -> Response:
    end = params.instant("to") or customs().clock.now().astimezone(UTC)
    start = params.instant("from") or max(end - timedelta(days=30), params.EARLIEST)
    return jsonify(customs().parcels.stats(principal(), start, end).to_json())


@views.get("/feed")
@roles(*ALL)
def feed() -> Response:
    changes = customs().parcels.feed(principal(), resume_point("feed"), params.limit())
    return page("feed", changes.to_json()["items"], changes.next_cursor,
                has_more=changes.has_more)


def _json_object() -> dict[str, Any]:
    if request.mimetype != "application/json":  # refused before any byte is read
        raise ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", "send a JSON object (application/json)",
                         headers={"Accept-Post": "application/json"})
    return read_json_object()

