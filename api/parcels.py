"""Parcels for every role (/v1/parcels...), officer decisions, statistics and the feed.

Thin handlers: parse, call the use cases, shape the reply. Scope (which parcels a key may
see) is applied below, in the services: another tenant's parcel is a 404 like a missing one.
`{parcel}` in a path is the parcel's public id (`pcl_...`) or its tracking number. A parcel's
ETag is its version (If-Match on decisions); a signed declaration's, its SHA-256.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Annotated, Any

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import Field

from api import params
from api.auth import authenticate_request, principal, roles
from api.body import read_json_object
from api.errors import ApiProblem
from api.etags import if_match, immutable
from api.idempotency import idempotent
from api.pagination import page, resume_point
from api.spec import models_parcels as m
from api.spec.params import (
    DATE,
    ETAG,
    IF_MATCH,
    IF_NONE_MATCH,
    LIMIT,
    ONE_PARCEL,
    PAGE,
    SORT,
    VERSION,
)
from api.spec.registry import Param, Reply, operation
from api.spec.validate import validated
from customs.domain.errors import PreconditionFailed

views = Blueprint("views", __name__, url_prefix="/v1")
views.before_request(authenticate_request)
ALL = ("marketplace", "courier", "officer")
COURIER_HIDDEN = ("value_min", "value_max", "currency", "q", "hs", "marketplace")
SEARCH = (
    Param("status", "query", str, "one or more statuses, comma-separated", example="HELD"),
    Param("office", "query", str, "customs office"),
    Param("received_from", "query", DATE, "received at or after"),
    Param("received_to", "query", DATE, "received before"),
    Param("marketplace", "query", str, "marketplace name"),
    Param("hs", "query", Annotated[str, Field(pattern="^[0-9]{2,10}$")],
          "HS chapter or code prefix"),
    Param("value_min", "query", str, "declared value at least"),
    Param("value_max", "query", str, "declared value at most"),
    Param("currency", "query", Annotated[str, Field(pattern="^[A-Z]{3}$")], "declared currency"),
    Param("q", "query", str, "words of the goods descriptions (all must appear)"),
    Param("tracking_number", "query", str, "exact tracking number"),
    Param("waybill", "query", str, "house or master waybill"),
    Param("sort", "query", SORT, "sort key; '-' for descending (default -received_at)"),
    *PAGE)


def customs():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"]


def _marketplace() -> str | None:
    """Officers and couriers may name the marketplace when tracking numbers collide."""
    return params.text("marketplace")


@views.get("/parcels")
@operation("searchParcels", "parcels", "Search the parcels in the caller's scope (officers: "
           "their offices)", Reply("A page, sorted", m.ParcelSearchPage), params=SEARCH,
           errors=(400, 401))
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
@operation("getParcel", "parcels", "The parcel with this id (or tracking number) in the "
           "caller's scope, with its history (couriers get the delivery view)",
           Reply("The parcel", m.ParcelView, headers=VERSION), params=ONE_PARCEL,
           errors=(400, 401, 404, (409, "TRACKING_NUMBER_AMBIGUOUS (`ids`: the parcels' ids)")))
@roles(*ALL)
def get_parcel(parcel: str) -> Response:
    view = customs().parcels.parcel(principal(), parcel, _marketplace())
    response = jsonify(view.to_json())
    response.set_etag(customs().parcels.version(view))
    return response


@views.get("/parcels/<parcel>/declaration")
@operation("getDeclaration", "parcels", "The signed declaration (marketplaces, officers)",
           Reply("The signed declaration, byte for byte as signed (W3C XML-Signature, "
                 "enveloped)", media={"application/xml": {
                     "schema": {"type": "string"},
                     "example": "<Declaration>...<ds:Signature>...</ds:Signature>"
                                "</Declaration>"}}, headers=ETAG),
           Reply("Not modified: the ETag in If-None-Match is current", status=304,
                 headers=ETAG),
           params=(*ONE_PARCEL, IF_NONE_MATCH),
           errors=(400, 401, 403, 404, (409, "TRACKING_NUMBER_AMBIGUOUS")))
@roles("marketplace", "officer")
def get_declaration(parcel: str) -> Response:
    """The signed declaration exactly as signed (verify it with the published certificate);
    immutable: its ETag is its SHA-256, If-None-Match answers 304."""
    document = customs().parcels.declaration(principal(), parcel, _marketplace())
    return immutable(document, "application/xml")


@views.get("/parcels/<parcel>/dossier")
@operation("getDossier", "officers", "Officers: data, history, the signed declaration "
           "verified now, the batch, messages exchanged, decisions and duty",
           Reply("The dossier", m.Dossier), params=ONE_PARCEL,
           errors=(400, 401, 403, 404, (409, "TRACKING_NUMBER_AMBIGUOUS")))
@roles("officer")
def get_dossier(parcel: str) -> Response:
    dossier = customs().parcels.dossier(principal(), parcel, _marketplace())
    return jsonify(dossier.to_json())


@views.post("/parcels/<parcel>/decisions")
@operation("recordDecision", "officers", "Officers: hold, request documents, release, "
           "refuse or assess duty", Reply("The parcel after the decision", m.ParcelView,
                                          headers=VERSION),
           params=(*ONE_PARCEL, IF_MATCH), body=m.Decision,
           errors=((400, "INVALID_DECISION: the body does not match Decision"), 401, 403, 404,
                   (409, "TRACKING_NUMBER_AMBIGUOUS; INVALID_TRANSITION or DUTY_UNPAID: the "
                         "lifecycle does not allow it now; CONCURRENT_CHANGE"), 412, 415,
                   (422, "REASON_REQUIRED, REASON_TOO_LONG, DUTY_REQUIRED or "
                         "DUTY_NOT_EXPECTED")))
@roles("officer")
@idempotent()
def record_decision(parcel: str) -> Response:
    decision = validated(m.Decision, _json_object(), _invalid_decision)
    if decision.reason is not None and not params.is_text(decision.reason):
        raise ApiProblem(400, "INVALID_DECISION", "reason must be a string of printable text "
                                                  "(no NUL or unpaired surrogates)")
    money = None if decision.duty is None else (decision.duty.amount, decision.duty.currency)
    action, reason = decision.action, decision.reason
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
@operation("getStats", "officers", "Counts per status and office of the parcels received in "
           "the period, and clearance time percentiles (received to released)",
           Reply("Statistics", m.Stats),
           params=(Param("from", "query", DATE, "default: 30 days before 'to'"),
                   Param("to", "query", DATE, "default: now")),
           errors=((400, "INVALID_PARAMETER or INVALID_PERIOD"), 401))
@roles(*ALL)
def stats() -> Response:
    end = params.instant("to") or customs().clock.now().astimezone(UTC)
    start = params.instant("from") or max(end - timedelta(days=30), params.EARLIEST)
    return jsonify(customs().parcels.stats(principal(), start, end).to_json())


@views.get("/feed")
@operation("getFeed", "feed", "Changes of the caller's parcels; resume from next_cursor",
           Reply("A page of changes", m.FeedPage),
           params=(Param("cursor", "query", str, "next_cursor of the previous page"), LIMIT),
           errors=(400, 401, 410))
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



def _invalid_decision(pointer: str, message: str) -> ApiProblem:
    return ApiProblem(400, "INVALID_DECISION", f"{pointer or '/'}: {message} (a decision is "
                      f"{{\"action\": one of {', '.join(m.ACTIONS)}, \"reason\", \"duty\": "
                      '{"amount": "12.50", "currency": "EUR"}})', pointer=pointer)
