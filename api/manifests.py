"""/v1/manifests and /v1/parcels: thin handlers that parse, call a use case, shape the reply."""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from api import params
from api.auth import authenticate_request, principal, roles
from api.body import read_bounded_body
from api.errors import ApiProblem
from api.etags import immutable
from api.pagination import page, resume_point
from customs.domain.errors import NotFound
from customs.services.corrections import CorrectParcel
from customs.services.intake import SubmitManifest

v1 = Blueprint("v1", __name__, url_prefix="/v1")
v1.before_request(authenticate_request)

XML_TYPES = ("application/xml", "text/xml")
JSON_TYPE = "application/json"
ACCEPTED = "application/xml, application/json"
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
MANIFEST_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")  # ours are UUIDs; a NUL fails on PostgreSQL
MAX_CORRECTION_BYTES = 1024 * 1024  # one Parcel


def customs():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"]


@v1.post("/manifests")
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
    if not IDEMPOTENCY_KEY.match(key):
        raise ApiProblem(400, "IDEMPOTENCY_KEY_INVALID",
                         "the Idempotency-Key must be 1-255 visible ASCII characters")
    return key


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
@roles("marketplace")
def get_manifest(manifest_id: str) -> Response:
    manifest = customs().intake.get_manifest(principal().tenant_id, _known(manifest_id))
    return jsonify(manifest.to_json())


@v1.get("/manifests/<manifest_id>/document")
@roles("marketplace")
def get_manifest_document(manifest_id: str) -> Response:
    document = customs().intake.get_manifest_document(principal().tenant_id,
                                                      _known(manifest_id))
    return immutable(document.content, document.media_type)


@v1.get("/manifests/<manifest_id>/parcels")
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

