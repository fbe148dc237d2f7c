"""/v1/manifests and /v1/parcels: thin handlers that parse, call a use case, shape the reply."""

from __future__ import annotations

import re
from typing import Annotated

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from pydantic import Field

from api import openapi_manifest, params
from api.auth import authenticate_request, principal, roles
from api.body import read_bounded_body
from api.errors import ApiProblem
from api.etags import immutable
from api.idempotency import IDEMPOTENCY_KEY, checked_key
from api.pagination import page, resume_point
from api.spec import models_manifests as m
from api.spec.params import ETAG, IF_NONE_MATCH, LOCATION, PAGE, STATUS
from api.spec.registry import Param, Reply, operation
from customs.domain.errors import NotFound
from customs.services.corrections import CorrectParcel
from customs.services.intake import SubmitManifest

v1 = Blueprint("v1", __name__, url_prefix="/v1")
v1.before_request(authenticate_request)

XML_TYPES = ("application/xml", "text/xml")
JSON_TYPE = "application/json"
ACCEPTED = "application/xml, application/json"
MANIFEST_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")  # ours are UUIDs; a NUL fails on PostgreSQL
MAX_CORRECTION_BYTES = 1024 * 1024  # one Parcel


def customs():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"]


KEY = Param("Idempotency-Key", "header",
            Annotated[str, Field(pattern=IDEMPOTENCY_KEY.pattern)],
            "Same key and body: same reply. Same key, other body: 422. Scoped to the tenant.",
            required=True, example="ACME-2026-11-23-001")
MANIFEST_XML = ('<Manifest xmlns="urn:customs:manifest:1"><ManifestRef>ACME-1</ManifestRef>'
                "...</Manifest>")
XML_BODY = {t: {"schema": {"type": "string"}, "example": MANIFEST_XML} for t in XML_TYPES}
MANIFEST_JSON = {
    "manifest_ref": "ACME-1", "issued_at": "2026-11-23T09:30:00Z",
    "destination": {"country": "RU", "customs_office": "10005020"},
    "parcels": [{"tracking_number": "CDEK-1000000009", "courier": "CDEK",
                 "seller": {"name": "Yiwu Happy Toys Trading", "country": "CN",
                            "shop_url": "https://happytoys.example.cn"},
                 "recipient": {"name": "Olga Ivanova",
                               "address": {"line": "pr. Mira 101", "city": "Moscow",
                                           "postal_code": "129085", "country": "RU"},
                               "personal_id": {"value": "4511 000111", "type": "passport"}},
                 "gross_weight": 1, "declared_value": {"amount": 18, "currency": "EUR"},
                 "items": [{"description": "Building blocks toy set", "hs_code": "9503009909",
                            "origin_country": "CN", "quantity": {"value": 1, "unit": "PCE"},
                            "net_weight": 1, "value": {"amount": 18, "currency": "EUR"},
                            "product_url": "https://happytoys.example.cn/item/950300"}]}]}
MANIFEST_BODY = {**XML_BODY, JSON_TYPE: {"schema": openapi_manifest.MANIFEST_REF,
                                         "example": MANIFEST_JSON}}
MANIFEST_ID_PARAM = Param("manifest_id", "path", str, example="3f0b6c1e-8a3e-4d1b-9a55-"
                                                              "2b8f6f3c9d10")


@v1.post("/manifests")
@operation(
    "submitManifest", "manifests", "Submit a seller manifest; every parcel is accepted or "
    "rejected",
    Reply("Manifest stored; see accepted, rejected and rejections. A large one (or with "
          "Prefer: respond-async) is answered at once with status processing: poll Location, "
          "or wait for the manifest.processed webhook event", m.ManifestSubmitted, 202,
          headers={**LOCATION, "Preference-Applied": {
              "schema": {"type": "string"}, "description": "respond-async, when asked for "
                                                          "and done"}}),
    params=(KEY, Param("Prefer", "header", str, "respond-async: answer at once with status "
                       "processing (RFC 7240); manifests over CUSTOMS_ASYNC_MANIFEST_BYTES "
                       "always are", example="respond-async")),
    raw_body=MANIFEST_BODY,
    description="The manifest as XML (urn:customs:manifest:1) or as JSON (the same content "
                "model: " + openapi_manifest.SCHEMA_PATH + "). The body may be sent with "
                "Content-Encoding: gzip; the size cap holds for the decompressed body (413). "
                "Violations point at fields by XPath (XML) or JSON Pointer (JSON).",
    errors=((400, "IDEMPOTENCY_KEY_REQUIRED, IDEMPOTENCY_KEY_INVALID, BODY_ENCODING_INVALID, "
                  "or an unreadable body"),
            401, 403, (413, "MANIFEST_TOO_LARGE: over CUSTOMS_MAX_MANIFEST_BYTES (decompressed)"),
            (415, "UNSUPPORTED_MEDIA_TYPE: not application/xml or application/json; "
                  "UNSUPPORTED_CONTENT_ENCODING: not gzip"),
            (422, "The manifest refused as a whole (MANIFEST_NOT_WELL_FORMED, ...), or "
                  "IDEMPOTENCY_KEY_REUSED")))
@roles("marketplace")
def submit_manifest() -> Response:
    media_type = _manifest_media_type()
    key = _idempotency_key()
    settings = customs().settings
    document = read_bounded_body(settings.max_manifest_bytes)
    who = principal()
    cmd = SubmitManifest(who.tenant_id, key, document, actor=f"{who.role}:{who.tenant}",
                         media_type=media_type)
    asked = prefers_async(request.headers.getlist("Prefer"))
    if asked or len(document) > settings.async_manifest_bytes:
        receipt = customs().intake.submit_manifest_async(cmd)
    else:
        receipt = customs().intake.submit_manifest(cmd)
    response = jsonify(receipt.body)
    response.status_code = 202
    response.headers["Location"] = url_for("v1.get_manifest", manifest_id=receipt.manifest_id)
    if receipt.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    if asked and receipt.processing:
        response.headers["Preference-Applied"] = "respond-async"
    return response


@v1.post("/parcels/<tracking_number>/corrections")
@operation(
    "correctParcel", "parcels", "Marketplaces: correct a parcel the authority asked to "
    "correct (HELD with a correction request open): a new version, declared again as the "
    "correction of its registry; the earlier version stays on the history",
    Reply("The new version, declared; the worker sends it", m.CorrectionReceipt, 202,
          headers=LOCATION),
    params=(Param("tracking_number", "path", str, example="RR123456785CN"), KEY),
    raw_body={t: {"schema": {"type": "string"}, "example": '<Parcel xmlns="urn:customs:'
                                                         'manifest:1">...</Parcel>'}
              for t in XML_TYPES},
    errors=(400, 401, 403, 404, (409, "PARCEL_NOT_AWAITING_CORRECTION, CORRECTIONS_EXHAUSTED "
                                      "or IDEMPOTENCY_KEY_IN_USE"),
            (413, "CORRECTION_TOO_LARGE: over 1 MiB"), 415,
            (422, "The correction refused (CORRECTION_INVALID, CORRECTION_UNCHANGED, ...), "
                  "or IDEMPOTENCY_KEY_REUSED")))
@roles("marketplace")
def correct_parcel(tracking_number: str) -> Response:
    """A new version of a parcel the authority asked to correct (docs/api.md, Corrections)."""
    key = _xml_with_key("the corrected Parcel")
    document = read_bounded_body(MAX_CORRECTION_BYTES, code="CORRECTION_TOO_LARGE")
    who = principal()
    if len(tracking_number) > 64 or not tracking_number.isprintable():
        raise NotFound(f"no parcel {tracking_number!r}")  # no such number can exist
    receipt = customs().intake.correct_parcel(CorrectParcel(
        who.tenant_id, tracking_number, key, document, actor=who.actor))
    response = jsonify(receipt.body)
    response.status_code = 202
    response.headers["Location"] = url_for("views.get_parcel", parcel=tracking_number)
    if receipt.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _xml_with_key(what: str) -> str:
    """The request's Idempotency-Key, once its body is known to be XML."""
    if request.mimetype not in XML_TYPES:
        raise ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", f"send {what} as application/xml",
                         headers={"Accept-Post": "application/xml"})
    return _idempotency_key()


def _idempotency_key() -> str:
    """The request's Idempotency-Key header: required, 1-255 visible ASCII characters."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        raise ApiProblem(400, "IDEMPOTENCY_KEY_REQUIRED",
                         "send an Idempotency-Key header (1-255 visible ASCII characters)")
    return checked_key(key)


def prefers_async(values: list[str]) -> bool:
    """RFC 7240: preferences are comma-separated, each a token with optional parameters;
    names are case-insensitive. Only respond-async is acted on."""
    for value in values[:16]:
        for preference in value[:1024].split(","):
            name = preference.split(";", 1)[0].split("=", 1)[0].strip().lower()
            if name == "respond-async":
                return True
    return False


def _manifest_media_type() -> str:
    """The manifest's syntax, from Content-Type: XML (text/xml is XML) or JSON; else 415."""
    if request.mimetype in XML_TYPES:
        return XML_TYPES[0]
    if request.mimetype == JSON_TYPE:
        return JSON_TYPE
    raise ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE",
                     "send the manifest as application/xml or application/json",
                     headers={"Accept-Post": ACCEPTED})


@v1.get("/manifests/<manifest_id>")
@operation("getManifest", "manifests", "The manifest with its receipt, or its status",
           Reply("The manifest with its receipt; while a worker has yet to process it, its "
                 "status (processing, refused or failed)", m.ManifestState),
           params=(MANIFEST_ID_PARAM,), errors=(401, 403, 404))
@roles("marketplace")
def get_manifest(manifest_id: str) -> Response:
    manifest = customs().intake.get_manifest(principal().tenant_id, _known(manifest_id))
    return jsonify(manifest.to_json())


@v1.get("/manifests/<manifest_id>/document")
@operation("getManifestDocument", "manifests", "The manifest exactly as received",
           Reply("The manifest exactly as received, with the media type it was sent as", media={
               "application/xml": {"schema": {"type": "string"}, "example": MANIFEST_XML},
               JSON_TYPE: {"schema": {"type": "object"}, "example": MANIFEST_JSON}},
               headers=ETAG),
           Reply("Not modified: the ETag in If-None-Match is current", status=304,
                 headers=ETAG),
           params=(MANIFEST_ID_PARAM, IF_NONE_MATCH), errors=(401, 403, 404))
@roles("marketplace")
def get_manifest_document(manifest_id: str) -> Response:
    document = customs().intake.get_manifest_document(principal().tenant_id,
                                                      _known(manifest_id))
    return immutable(document.content, document.media_type)


@v1.get("/manifests/<manifest_id>/parcels")
@operation("listManifestParcels", "manifests", "The manifest's parcels, in manifest order",
           Reply("A page of parcels in manifest order", m.ParcelPage),
           params=(MANIFEST_ID_PARAM, STATUS, *PAGE), errors=(400, 401, 403, 404))
@roles("marketplace")
def list_manifest_parcels(manifest_id: str) -> Response:
    limit = params.limit()
    status = request.args.get("status")
    kind = f"manifest-parcels:{manifest_id}:{status or ''}"
    after = resume_point(kind) or "0"
    if not params.is_integer_key(after):
        raise ApiProblem(400, "INVALID_CURSOR", "the cursor is not one this list returned")
    found = customs().intake.list_manifest_parcels(
        principal().tenant_id, _known(manifest_id), status=status, after=int(after),
        limit=limit)
    return page(kind, [i.to_json() for i in found.items],
                None if found.next_after is None else str(found.next_after))


def _known(manifest_id: str) -> str:
    """A manifest id of the shape we give out, else no such manifest (404, as for any other)."""
    if not MANIFEST_ID.match(manifest_id):
        raise NotFound("no such manifest")
    return manifest_id

