"""The routing envelope of the ru-fts-express profile (schemas/ru_envelope/v1/envelope.xsd):
routing data around one FTS album document, and the place of its signature.

The album's documents have no place for a ds:Signature (ExpressCargoDeclaration ends with the
broker's details, and no element of it admits foreign content), so every FTS document we emit
is signed in this envelope, as a whole: the per-parcel registries as the ones sent."""

from __future__ import annotations

import uuid
from datetime import datetime

from lxml import etree

from schemas import compiled, ru_envelope_xsd_path

ENV = "urn:customs:ru-fts-envelope:1"
ENVELOPE = f"{{{ENV}}}"
DECLARATION_MODE = "1006275E"  # DocumentModeID of ExpressCargoDeclaration


def envelope_schema() -> etree.XMLSchema:
    return compiled(ru_envelope_xsd_path())


def process_id(envelope_id: str) -> str:
    """The process id shared by the messages of one exchange: derived from the first envelope."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:customs:ru-fts:process:{envelope_id}"))


def envelope(envelope_id: str, sender: str, receiver: str, at: datetime, process: str,
             mode_id: str, body: etree._Element, initial: str | None = None) -> etree._Element:
    """The envelope (Id "E-<envelope_id>", the signature's reference) around `body`."""
    root = etree.Element(ENVELOPE + "Envelope", {"Id": f"E-{envelope_id}"}, nsmap={"env": ENV})
    routing = etree.SubElement(root, ENVELOPE + "RoutingInf")
    values = [("EnvelopeID", envelope_id), ("InitialEnvelopeID", initial),
              ("SenderInformation", sender), ("ReceiverInformation", receiver),
              ("PreparationDateTime", at.isoformat(timespec="seconds")),
              ("ProcessID", process), ("DocumentModeID", mode_id)]
    for name, text in values:
        if text is not None:
            etree.SubElement(routing, ENVELOPE + name).text = text
    etree.SubElement(root, ENVELOPE + "Body").append(body)
    return root


def envelope_errors(root: etree._Element) -> list[str]:
    """Why `root` is not a valid envelope (its Body's document is checked by the album)."""
    schema = envelope_schema()
    if root.tag != ENVELOPE + "Envelope" or not schema.validate(root):
        last = schema.error_log.last_error
        return [f"envelope: {last.message if last else 'not an envelope'}"]
    return []


def carried(root: etree._Element) -> etree._Element:
    """The FTS document an envelope carries, or `root` itself when it is one (declarations
    stored before they were enveloped)."""
    if root.tag != ENVELOPE + "Envelope":
        return root
    body = root.find(ENVELOPE + "Body")
    if body is None or len(body) != 1:
        raise ValueError("an envelope carries exactly one document in its Body")
    return body[0]
