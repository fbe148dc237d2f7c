"""POST /v1/authority/notifications: the authority pushes signed per-parcel decisions.

No API key: the message's XML signature, verified against the pinned authority certificate, is
what authenticates it (put mutual TLS in front in production)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, request

from api.body import read_bounded_body
from api.errors import ApiProblem
from api.spec.models_ops import ApplyReport
from api.spec.registry import PUBLIC, Reply, operation
from customs.domain.errors import AuthorityMessageError

log = logging.getLogger("customs.authority")
authority = Blueprint("authority", __name__, url_prefix="/v1/authority")
MAX_NOTIFICATION_BYTES = 16 * 1024 * 1024


@authority.post("/notifications")
@operation("authorityNotification", "authority", "The authority pushes signed per-parcel "
           "decisions (no API key: the XML signature, verified against the pinned authority "
           "certificate)", Reply("Applied (or recognised as a duplicate)", ApplyReport),
           raw_body={"application/xml": {"schema": {"type": "string"}, "example":
                                         "<Decisions>...<ds:Signature/></Decisions>"}},
           security=PUBLIC,
           errors=((403, "SIGNATURE_INVALID: the signature is invalid or not the authority's"),
                   (413, "Over 16 MiB (MANIFEST_TOO_LARGE)"), 415,
                   (422, "MESSAGE_INVALID, MESSAGE_UNEXPECTED, MESSAGE_UNMATCHED or "
                         "MESSAGE_UNMAPPABLE (set aside in the quarantine)"),
                   (503, "AUTHORITY_NOT_CONFIGURED: no authority certificate configured")))
def notifications() -> Response:
    if request.mimetype not in ("application/xml", "text/xml"):
        raise ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", "send the message as application/xml")
    document = read_bounded_body(MAX_NOTIFICATION_BYTES)
    try:
        received = current_app.extensions["customs"].authority.receive_decisions(
            document, channel="push", origin=request.remote_addr)
    except AuthorityMessageError as exc:  # not configured: nothing can be verified
        log.warning("authority decision refused: CUSTOMS_AUTHORITY_CERT is not set; set it "
                    "to the authority's certificate for `customs serve` / gunicorn")
        raise ApiProblem(503, exc.code, str(exc)) from None
    report = received.report
    if report is None:  # set aside in the quarantine; the sender need not retry it
        status = 403 if received.code == "SIGNATURE_INVALID" else 422
        raise ApiProblem(status, received.code or "MESSAGE_INVALID", received.detail or "",
                         quarantine_id=received.quarantine_id)
    return jsonify({"message_id": report.message_id, "duplicate": report.duplicate,
                    "applied": report.applied, "ignored": report.ignored,
                    "orphaned": report.orphaned, "noted": report.noted,
                    "pending": report.pending, "set_aside": report.set_aside})
