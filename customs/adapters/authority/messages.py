"""Reading the authority's messages: signature first (pinned certificate), then the schema,
then only what the signature covers."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

import signing
from customs.domain.decisions import Decision, DecisionMessage
from customs.domain.errors import AuthorityMessageError
from customs.domain.money import Money
from schemas import authority_xsd_path, compiled

NS = "urn:customs:authority:1"
_Q = f"{{{NS}}}"


def _schema() -> etree.XMLSchema:
    return compiled(authority_xsd_path())


def read_decisions(document: bytes, verifier: signing.Verifier) -> DecisionMessage:
    try:
        root = verifier.verify(document).element
    except signing.VerificationError as exc:
        raise AuthorityMessageError("SIGNATURE_INVALID", str(exc)) from None
    if root.tag != _Q + "Decisions":
        raise AuthorityMessageError("MESSAGE_UNEXPECTED", f"expected Decisions, got {root.tag}")
    if not _schema().validate(root):
        raise AuthorityMessageError("MESSAGE_INVALID", str(_schema().error_log.last_error))
    return DecisionMessage(root.findtext(_Q + "MessageId") or "",
                           root.findtext(_Q + "InitialMessageId") or "",
                           tuple(_decision(d) for d in root.iterfind(_Q + "Decision")))


def _decision(element: etree._Element) -> Decision:
    duty = element.find(_Q + "Duty")
    return Decision(
        declaration_id=element.findtext(_Q + "DeclarationId") or "",
        tracking_number=element.findtext(_Q + "TrackingNumber") or "",
        code=element.findtext(_Q + "Code") or "",
        duty=None if duty is None else Money(Decimal((duty.text or "").strip()),
                                             duty.get("currency", "")),
        reason=element.findtext(_Q + "Reason"))


def is_acknowledgement(document: bytes, verifier: signing.Verifier) -> bool:
    """True when the reply is an Ack signed by the authority and valid against the schema."""
    return read_acknowledgement(document, verifier) is not None


def read_acknowledgement(document: bytes, verifier: signing.Verifier,
                         message_id: str | None = None) -> str | None:
    """"registered" or "already registered" when the reply is an Ack signed by the authority,
    valid against the schema and (given `message_id`) answering that message; else None."""
    try:
        root = verifier.verify(document).element
    except signing.VerificationError:
        return None
    if root.tag != _Q + "Ack" or not _schema().validate(root):
        return None
    if message_id is not None and root.findtext(_Q + "InitialMessageId") != message_id:
        return None
    return "registered" if root.findtext(_Q + "Registered") in ("true", "1") else \
        "already registered"
