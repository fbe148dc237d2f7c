"""OpenAPI paths and schemas of the role-aware operations (api/parcels.py)."""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_INT = {"type": "integer"}
_MONEY = {"type": "object", "required": ["amount", "currency"],
          "properties": {"amount": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"},
                         "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}}}
_NMONEY = {"oneOf": [_MONEY, {"type": "null"}]}
_STATUS = {"$ref": "#/components/schemas/Status"}
_DEST = {"type": "object", "required": ["country", "customs_office"],
         "properties": {"country": _STR, "customs_office": _STR}}
_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_SECURE = [{"bearerAuth": []}]
_TEXT = {"400": "Bad parameter or body", "401": "No valid API key",
         "403": "Not this role's operation", "404": "Not found (or outside the caller's scope)",
         "409": "TRACKING_NUMBER_AMBIGUOUS (`ids`: the parcels' ids); decisions: the "
                "lifecycle does not allow it now, or the parcel changed meanwhile",
         "410": "Cursor expired", "412": "If-Match names a version that is no longer "
                                         "current (`parcel`: the current state)",
         "415": "Not application/json",
         "422": "A required reason or amount is missing"}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


def _ref(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": _TEXT[str(c)], "content": _PROBLEM} for c in codes}


def _q(name: str, schema: dict[str, Any], text: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": text}


_TRACKING = {"name": "parcel", "in": "path", "required": True, "schema": _STR,
             "description": "the parcel's public id (pcl_...) or its tracking number (409 "
                            "TRACKING_NUMBER_AMBIGUOUS when several parcels in scope carry it)"}
_ID = {"type": "string", "pattern": "^pcl_[a-z2-7]{16}$",
       "description": "the parcel's public id: stable, opaque"}
_VERSION = {"ETag": {"schema": _STR, "description": "the parcel's version: send it as "
                                                   "If-Match with a decision"}}
_ETAG = {"ETag": {"schema": _STR, "description": "strong: the SHA-256 of the document"}}
_MARKETPLACE = _q("marketplace", _STR, "Officers and couriers: the marketplace, when the same "
                                       "tracking number is used by several")
_LIMIT = _q("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
            "page size")
_DATE = {"type": "string", "description": "ISO 8601 date or date-time with offset"}

# the leg of a two-leg parcel an event belongs to; null for a parcel with the one import leg
_LEG = {"type": ["string", "null"], "enum": ["export", "import", None]}

SCHEMAS: dict[str, Any] = {
    "ViewEvent": _obj(["status", "at"], status=_STATUS, previous_status=_NSTR, at=_STR,
                      actor=_NSTR, role=_NSTR, source=_NSTR, reason=_NSTR, leg=_LEG),
    "ParcelView": _obj(
        ["id", "tracking_number", "status", "destination", "updated_at", "history"], id=_ID,
        tracking_number=_NSTR, status=_STATUS, destination=_DEST, courier=_NSTR,
        marketplace=_STR, manifest_id=_STR, position=_INT, declared_value=_NMONEY,
        gross_weight=_NSTR, duty=_NMONEY, received_at=_STR, updated_at=_STR,
        house_waybill=_NSTR, master_waybill=_NSTR, data={"type": ["object", "null"]},
        deliver_to={"type": "object", "description": "couriers: name, address, phone"},
        violations={"type": "array"}, declaration_error=_NSTR,
        history={"type": "array", "items": {"$ref": "#/components/schemas/ViewEvent"}},
        versions={"type": "array", "description": "marketplaces and officers: every version "
                  "once corrected (1 from the manifest, then each correction); empty before",
                  "items": {"$ref": "#/components/schemas/ParcelVersion"}},
        correction_request={"oneOf": [{"$ref": "#/components/schemas/CorrectionRequest"},
                                      {"type": "null"}]},
        legs={"type": "array", "description": "each leg's status: one import leg, or the export "
              "at origin then the import at destination (docs/cn-ceb.md); `status` is derived "
              "from them", "items": {"$ref": "#/components/schemas/ParcelLeg"}}),
    "ParcelLeg": _obj(["leg", "status"], leg={"type": "string", "enum": ["export", "import"]},
                      country=_NSTR, status={"type": "string", "description": "a parcel status, "
                                             "or WAITING: the leg has not started"}),
    "ParcelVersion": _obj(
        ["version", "source", "data"], version=_INT, received_at=_NSTR, source=_STR,
        actor=_NSTR, data={"type": "object"}, declaration_id=_NSTR,
        registration_number=_NSTR, ordinal={"type": ["integer", "null"]},
        change_codes={"type": ["string", "null"], "pattern": "^[0-9A-Z]{7}$"}),
    "CorrectionRequest": _obj(
        ["registration_number", "open"], registration_number=_STR, correct_doc_type=_STR,
        doc_kind=_STR, limit_at=_NSTR, violations={"type": "array", "items": _STR},
        reason=_NSTR, changes={"type": "array", "items": {"type": "object"}},
        received_at=_NSTR, corrected_at=_NSTR, open={"type": "boolean"}),
    "CorrectionReceipt": _obj(
        ["tracking_number", "version", "status", "declaration_id", "registration_number",
         "ordinal", "change_codes", "received_at"], tracking_number=_STR, version=_INT,
        status=_STATUS, declaration_id=_STR, registration_number=_STR, ordinal=_INT,
        change_codes={"type": "string", "pattern": "^[0-9A-Z]{7}$"}, received_at=_STR),
    "ParcelSearchPage": _obj(
        ["items", "next_cursor"], next_cursor=_NSTR,
        items={"type": "array", "items": _obj(
            ["id", "tracking_number", "status"], id=_ID, tracking_number=_NSTR, status=_STATUS,
            marketplace=_STR, courier=_NSTR, destination=_DEST, declared_value=_NMONEY,
            duty=_NMONEY, received_at=_STR, updated_at=_STR)}),
    "Decision": _obj(
        ["action"], action={"type": "string", "enum": ["hold", "request_documents", "release",
                                                       "refuse", "assess_duty"]},
        reason={"type": "string", "maxLength": 2000,
                "description": "required for hold, request_documents and refuse"},
        duty={**_MONEY, "description": "required for assess_duty"}),
    "Dossier": {"allOf": [{"$ref": "#/components/schemas/ParcelView"}, _obj(
        ["declaration", "batch", "messages", "decisions"],
        declaration={"type": ["object", "null"], "properties": {
            "id": _STR, "sha256": _STR, "document": _STR, "verification": _obj(
                ["valid"], valid={"type": ["boolean", "null"]}, reason=_STR)}},
        batch={"type": ["object", "null"]},
        messages={"type": "array", "items": {"type": "object"}},
        decisions={"type": "array", "items": {"$ref": "#/components/schemas/ViewEvent"}})]},
    "Stats": _obj(
        ["from", "to", "parcels", "by_status", "by_office", "clearance_seconds"],
        **{"from": _STR, "to": _STR}, parcels=_INT,
        by_status={"type": "object", "additionalProperties": _INT},
        by_office={"type": "object", "additionalProperties": {
            "type": "object", "additionalProperties": _INT}},
        clearance_seconds=_obj(["count", "p50", "p90", "p99"], count=_INT,
                               p50={"type": ["number", "null"]},
                               p90={"type": ["number", "null"]},
                               p99={"type": ["number", "null"]})),
    "FeedPage": _obj(
        ["items", "next_cursor", "has_more"], next_cursor=_STR, has_more={"type": "boolean"},
        items={"type": "array", "items": _obj(
            ["event_id", "parcel_id", "tracking_number", "status", "at"], event_id=_INT,
            parcel_id=_ID, tracking_number=_NSTR, house_waybill=_NSTR, marketplace=_STR,
            courier=_NSTR,
            customs_office=_NSTR, status=_STATUS, previous_status=_NSTR, at=_STR,
            source=_NSTR, reason=_NSTR, duty=_NMONEY, actor=_NSTR, role=_NSTR, leg=_LEG,
            duty_estimate={"type": ["object", "null"],
                           "description": "estimate made at intake: status, amount, currency"})}),
}

_SEARCH = [
    _q("status", _STR, "one or more statuses, comma-separated"),
    _q("office", _STR, "customs office"), _q("received_from", _DATE, "received at or after"),
    _q("received_to", _DATE, "received before"), _q("marketplace", _STR, "marketplace name"),
    _q("hs", {"type": "string", "pattern": "^[0-9]{2,10}$"}, "HS chapter or code prefix"),
    _q("value_min", _STR, "declared value at least"),
    _q("value_max", _STR, "declared value at most"),
    _q("currency", {"type": "string", "pattern": "^[A-Z]{3}$"}, "declared currency"),
    _q("q", _STR, "words of the goods descriptions (all must appear)"),
    _q("tracking_number", _STR, "exact tracking number"),
    _q("waybill", _STR, "house or master waybill"),
    _q("sort", {"type": "string", "enum": ["received_at", "-received_at", "value", "-value"]},
       "sort key; '-' for descending (default -received_at)"),
    _LIMIT, _q("cursor", _STR, "next_cursor of the previous page (same sort)")]


def _op(op_id: str, tag: str, summary: str, parameters: list[Any], ok: str,
        content: dict[str, Any], *errors: int, body: str | None = None,
        headers: dict[str, Any] | None = None,
        more: dict[str, Any] | None = None) -> dict[str, Any]:
    done: dict[str, Any] = {"description": ok, "content": content}
    if headers:
        done["headers"] = headers
    op: dict[str, Any] = {
        "operationId": op_id, "tags": [tag], "security": _SECURE, "summary": summary,
        "parameters": parameters,
        "responses": {"200": done, **(more or {}), **_errors(*errors)}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": _ref(body)}
    return op


_ONE = [_TRACKING, _MARKETPLACE]
_IF_MATCH = {"name": "If-Match", "in": "header", "schema": _STR,
             "description": "the parcel's ETag you decided on: 412 if it changed since"}
_IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "schema": _STR,
                  "description": "the ETag you hold: 304 Not Modified if it is still current"}


def paths() -> dict[str, Any]:
    return {
        "/v1/parcels": {"get": _op(
            "searchParcels", "parcels", "Search the parcels in the caller's scope (officers: "
            "their offices)", _SEARCH, "A page, sorted", _ref("ParcelSearchPage"), 400, 401)},
        "/v1/parcels/{parcel}": {"get": _op(
            "getParcel", "parcels", "The parcel with this id (or tracking number) in the "
            "caller's scope, with its history (couriers get the delivery view)", _ONE,
            "The parcel", _ref("ParcelView"), 400, 401, 404, 409, headers=_VERSION)},
        "/v1/parcels/{parcel}/declaration": {"get": _op(
            "getDeclaration", "parcels", "The signed declaration (marketplaces, officers)",
            [*_ONE, _IF_NONE_MATCH],
            "The signed declaration, byte for byte as signed (W3C XML-Signature, enveloped)",
            {"application/xml": {"schema": _STR}}, 400, 401, 403, 404, 409, headers=_ETAG,
            more={"304": {"description": "Not modified: the ETag in If-None-Match is current",
                          "headers": _ETAG}})},
        "/v1/parcels/{parcel}/dossier": {"get": _op(
            "getDossier", "officers", "Officers: data, history, the signed declaration verified "
            "now, the batch, messages exchanged, decisions and duty", _ONE, "The dossier",
            _ref("Dossier"), 400, 401, 403, 404, 409)},
        "/v1/parcels/{parcel}/decisions": {"post": _op(
            "recordDecision", "officers", "Officers: hold, request documents, release, refuse "
            "or assess duty", [*_ONE, _IF_MATCH], "The parcel after the decision",
            _ref("ParcelView"), 400, 401, 403, 404, 409, 412, 415, 422, body="Decision",
            headers=_VERSION)},
        "/v1/stats": {"get": _op(
            "getStats", "officers", "Counts per status and office of the parcels received in "
            "the period, and clearance time percentiles (received to released)",
            [_q("from", _DATE, "default: 30 days before 'to'"), _q("to", _DATE, "default: now")],
            "Statistics", _ref("Stats"), 400, 401)},
        "/v1/feed": {"get": _op(
            "getFeed", "feed", "Changes of the caller's parcels; resume from next_cursor",
            [_q("cursor", _STR, "next_cursor of the previous page"), _LIMIT],
            "A page of changes", _ref("FeedPage"), 400, 401, 410)},
    }
