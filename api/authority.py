"""POST /v1/authority/notifications: the authority pushes signed per-parcel decisions.

No API key: the message's XML signature, verified against the pinned authority certificate, is
what authenticates it (put mutual TLS in front in production)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, request

from api.body import read_bounded_body
from api.errors import ApiProblem
from customs.domain.errors import AuthorityMessageError

log = logging.getLogger("customs.authority")
authority = Blueprint("authority", __name__, url_prefix="/v1/authority")
MAX_NOTIFICATION_BYTES = 16 * 1024 * 1024


@authority.post("/notifications")
def notifications() -> Response:
    if request.mimetype not in ("application/xml", "text/xml"):
        raise ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", "send the message as application/xml")
    document = read_bounded_body(MAX_NOTIFICATION_BYTES)
    try:
        report = current_app.extensions["customs"].receive_decisions(document)
    except AuthorityMessageError as exc:
        status = 403 if exc.code == "SIGNATURE_INVALID" else 422
        if exc.code == "AUTHORITY_NOT_CONFIGURED":
            status = 503
            log.warning("authority decision refused: CUSTOMS_AUTHORITY_CERT is not set; set it "
                        "to the authority's certificate for `customs serve` / gunicorn")
        raise ApiProblem(status, exc.code, str(exc)) from None
    return jsonify({"message_id": report.message_id, "duplicate": report.duplicate,
                    "applied": report.applied, "ignored": report.ignored,
                    "orphaned": report.orphaned, "noted": report.noted})
