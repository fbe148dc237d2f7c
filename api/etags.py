"""Conditional requests: immutable documents carry a strong ETag (their SHA-256) and answer
If-None-Match with 304; decisions take If-Match (a parcel's version, api/parcels.py)."""

from __future__ import annotations

import hashlib

from flask import Response, request


def immutable(document: bytes, mimetype: str) -> Response:
    """A stored document that never changes (a signed declaration, a manifest as received):
    strong ETag, If-None-Match → 304 without the body."""
    response = Response(document, mimetype=mimetype)
    response.set_etag(hashlib.sha256(document).hexdigest())
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    return response.make_conditional(request)


def if_match() -> tuple[str, ...] | None:
    """The versions in If-Match ("*": any), None without the header. Weak tags never match
    (RFC 9110: If-Match compares strongly)."""
    if "If-Match" not in request.headers:
        return None
    tags = request.if_match
    return ("*",) if tags.star_tag else tuple(tags.as_set())
