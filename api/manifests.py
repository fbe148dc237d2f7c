"""/v1/manifests and /v1/parcels: thin handlers that parse, call a use case, shape the reply."""

from __future__ import annotations

import base64
import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from api import params
from api.auth import authenticate_request, principal, roles
from api.body import read_bounded_body
from api.errors import ApiProblem
from customs.domain.errors import NotFound
from customs.services.intake import SubmitManifest

v1 = Blueprint("v1", __name__, url_prefix="/v1")
v1.before_request(authenticate_request)

XML_TYPES = ("application/xml", "text/xml")
JSON_TYPE = "application/json"
ACCEPTED = "application/xml, application/json"
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
MANIFEST_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")  # ours are UUIDs; a NUL fails on PostgreSQL


def customs():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"]


@v1.post("/manifests")
@roles("marketplace")
def submit_manifest() -> Response:
    media_type = _manifest_media_type()
    key = request.headers.get("Idempotency-Key")
    if key is None:
        raise ApiProblem(400, "IDEMPOTENCY_KEY_REQUIRED",
                         "send an Idempotency-Key header (1-255 visible ASCII characters)")
    if not IDEMPOTENCY_KEY.match(key):
        raise ApiProblem(400, "IDEMPOTENCY_KEY_INVALID",
                         "the Idempotency-Key must be 1-255 visible ASCII characters")
    document = read_bounded_body(customs().settings.max_manifest_bytes)
    who = principal()
    receipt = customs().intake.submit_manifest(
        SubmitManifest(who.tenant_id, key, document, actor=f"{who.role}:{who.tenant}",
                       media_type=media_type))
    response = jsonify(receipt.body)
    response.status_code = 202
    response.headers["Location"] = url_for("v1.get_manifest", manifest_id=receipt.manifest_id)
    if receipt.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


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
    return Response(document.content, mimetype=document.media_type)


@v1.get("/manifests/<manifest_id>/parcels")
@roles("marketplace")
def list_manifest_parcels(manifest_id: str) -> Response:
    limit = params.limit()
    after = _decode_cursor(request.args.get("cursor"))
    page = customs().intake.list_manifest_parcels(
        principal().tenant_id, _known(manifest_id), status=request.args.get("status"),
        after=after, limit=limit)
    body: dict[str, Any] = {"items": [i.to_json() for i in page.items], "next_cursor": None}
    if page.next_after is not None:
        body["next_cursor"] = _encode_cursor(page.next_after)
    return jsonify(body)


def _known(manifest_id: str) -> str:
    """A manifest id of the shape we give out, else no such manifest (404, as for any other)."""
    if not MANIFEST_ID.match(manifest_id):
        raise NotFound("no such manifest")
    return manifest_id


def _encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"p:{position}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind != "p" or not params.is_integer_key(value):
            raise ValueError(text)
        return int(value)
    except ValueError:
        raise ApiProblem(400, "INVALID_CURSOR",
                         "the cursor is not one this API returned") from None
