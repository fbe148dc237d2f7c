"""Component schemas of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from customs.domain.lifecycle import ParcelStatus

_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_AMOUNT = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
_MONEY = {"type": "object", "required": ["amount", "currency"],
          "properties": {"amount": _AMOUNT, "currency": {"type": "string",
                                                         "pattern": "^[A-Z]{3}$"}}}
PUBLIC_ID = {"type": "string", "pattern": "^pcl_[a-z2-7]{16}$",
             "description": "the parcel's public id: stable, opaque"}
_DEST = {"type": "object", "required": ["country", "customs_office"],
         "properties": {"country": _STR, "customs_office": _STR}}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


VIOLATION = _obj(["code", "message"], code=_STR, message=_STR, path=_NSTR,
                 line={"type": ["integer", "null"]}, value=_NSTR)
_VIOLATIONS = {"type": "array", "items": {"$ref": "#/components/schemas/Violation"}}

COMPONENTS: dict[str, Any] = {"schemas": {
    "Problem": {**_obj(["type", "title", "status"], type=_STR, title=_STR,
                       status={"type": "integer"}, detail=_STR, instance=_STR, code=_STR,
                       violations=_VIOLATIONS, request_id=_STR,
                       ids={"type": "array", "items": _STR, "description": "409 "
                            "TRACKING_NUMBER_AMBIGUOUS: the public ids of the parcels"},
                       parcel={"type": "object", "description": "412 PRECONDITION_FAILED: "
                               "the parcel's current state"},
                       version={"type": "string", "description": "412 PRECONDITION_FAILED: "
                                "the parcel's current version (its ETag)"}),
                "description": "RFC 9457 problem details"},
    "Violation": VIOLATION,
    "Status": {"type": "string", "enum": [s.value for s in ParcelStatus]},
    "Rejection": _obj(["position", "violations"], position={"type": "integer"},
                      tracking_number=_NSTR, line={"type": ["integer", "null"]},
                      violations=_VIOLATIONS, violations_omitted={"type": "integer"}),
    "Receipt": _obj(
        ["id", "ref", "received_at", "parcels", "accepted", "rejected", "rejections"],
        id=_STR, ref=_STR, received_at={"type": "string", "format": "date-time"},
        destination=_DEST, document_sha256=_STR, parcels={"type": "integer"},
        accepted={"type": "integer"}, rejected={"type": "integer"},
        rejections={"type": "array", "items": {"$ref": "#/components/schemas/Rejection"}},
        violations_omitted={"type": "integer"}),
    "Manifest": _obj(
        ["id", "status", "ref", "parcels", "accepted", "rejected"], id=_STR,
        status={"type": "string", "enum": ["processed"]}, ref=_STR,
        issued_at=_STR, received_at=_STR, destination=_DEST,
        transport={"type": ["object", "null"]}, document_sha256=_STR,
        document_size={"type": "integer"}, parcels={"type": "integer"},
        accepted={"type": "integer"}, rejected={"type": "integer"},
        receipt={"oneOf": [{"$ref": "#/components/schemas/Receipt"}, {"type": "null"}],
                 "description": "the receipt (null for manifests stored before receipts "
                                "were kept)"}),
    "ManifestProcessing": {**_obj(
        ["id", "status", "received_at", "document_sha256", "document_size"], id=_STR,
        status={"type": "string", "enum": ["processing", "refused", "failed"]},
        received_at={"type": "string", "format": "date-time"}, document_sha256=_STR,
        document_size={"type": "integer"},
        problem=_obj(["code", "detail"], code=_STR, detail=_STR, violations=_VIOLATIONS)),
        "description": "A manifest stored for a worker: `processing` until its receipt is "
                       "ready (then GET answers the Manifest), or `refused` / `failed` with "
                       "the problem (nothing of it was stored)"},
    "ManifestSubmitted": {"oneOf": [{"$ref": "#/components/schemas/Receipt"},
                                    {"$ref": "#/components/schemas/ManifestProcessing"}]},
    "ManifestState": {"oneOf": [{"$ref": "#/components/schemas/Manifest"},
                                {"$ref": "#/components/schemas/ManifestProcessing"}]},
    "ParcelSummary": _obj(
        ["id", "position", "status", "manifest_id"], id=PUBLIC_ID, position={"type": "integer"},
        tracking_number=_NSTR, manifest_id=_STR, courier=_NSTR,
        status={"$ref": "#/components/schemas/Status"}, destination=_DEST,
        declared_value={"oneOf": [_MONEY, {"type": "null"}]}, gross_weight=_NSTR,
        violations=_VIOLATIONS, updated_at=_STR),
    "ParcelPage": _obj(["items", "next_cursor"],
                       items={"type": "array",
                              "items": {"$ref": "#/components/schemas/ParcelSummary"}},
                       next_cursor=_NSTR),
    "Event": _obj(["status", "at", "actor"], status={"$ref": "#/components/schemas/Status"},
                  previous_status=_NSTR, at=_STR, actor=_STR, source=_NSTR, reason=_NSTR),
    "ParcelDetail": {"allOf": [
        {"$ref": "#/components/schemas/ParcelSummary"},
        _obj(["history"], data={"type": ["object", "null"]},
             history={"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
             duty_estimate={"$ref": "#/components/schemas/DutyEstimate"},
             assessed_duty={"oneOf": [_MONEY, {"type": "null"}],
                            "description": "the amount the authority assessed, if any"})]},
    "DutyEstimate": {**_obj(
        ["status", "reason"],
        status={"type": "string", "enum": ["ESTIMATED", "RATES_MISSING", "NO_RULE",
                                           "NOT_ESTIMABLE", "NONE"]},
        reason=_STR, rule=_NSTR, period=_NSTR,
        amount={"oneOf": [_AMOUNT, {"type": "null"}]},
        currency={"type": ["string", "null"]},
        basis={"type": "object", "additionalProperties": {"type": "string"}}),
        "description": "Estimated duty at intake (docs/duty.md); amount only when ESTIMATED"},
    "Rate": _obj(["date", "currency", "base", "rate"], date={"type": "string",
                                                             "format": "date"},
                 currency={"type": "string", "pattern": "^[A-Z]{3}$"},
                 base={"type": "string", "pattern": "^[A-Z]{3}$"},
                 rate={**_AMOUNT, "description": "1 currency = rate base"}),
    "RatePage": _obj(["from", "to", "items"], **{"from": _STR}, to=_STR,
                     items={"type": "array", "items": {"$ref": "#/components/schemas/Rate"}}),
    "RatesUpload": _obj(["rates"], rates={"type": "array",
                                          "items": {"$ref": "#/components/schemas/Rate"}}),
    "RatesLoaded": _obj(["loaded"], loaded={"type": "integer"}),
    "ApplyReport": _obj(["message_id", "duplicate", "applied", "ignored", "orphaned"],
                        message_id=_STR, duplicate={"type": "boolean"},
                        applied={"type": "integer"}, ignored={"type": "integer"},
                        orphaned={"type": "integer"},
                        noted={"type": "integer", "description": "decisions recorded on the "
                               "parcel's history without a move (FTS 50, 62, 70)"},
                        pending={"type": "integer", "description": "decisions that arrived "
                                 "before the one they follow: kept, applied in their turn"},
                        set_aside={"type": "integer", "description": "decisions with a code "
                                   "the service does not know: the parcel is HELD for a "
                                   "person, the raw code as the event's source"}),
    "Health": _obj(["status"], status={"type": "string", "enum": ["ok", "warning"]},
                   database=_STR, version=_STR,
                   signing=_obj(["configured"], configured={"type": "boolean"},
                                fingerprint=_STR, subject=_STR, not_after=_STR,
                                days_left={"type": "integer"}, expiring={"type": "boolean"},
                                expired={"type": "boolean"})),
}}
