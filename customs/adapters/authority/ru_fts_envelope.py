"""ru-fts-express messages: registries out (one per master waybill, kind and office, at most
500 HouseShipments, validated against the official album by BOTH validators before signing, in
a signed envelope with routing data), and the FTS's answers in (see docs/ru-fts-express.md)."""

from __future__ import annotations

import copy
import hashlib
import re
import uuid
from datetime import datetime

from lxml import etree

from customs.adapters.documents.profiles.ru_fts_express import ECD, add_totals, registry
from customs.adapters.documents.signer import EnvelopedSigner
from customs.services.ports import SignedDocument
from schemas import compiled, ru_envelope_xsd_path
from schemas.ru_fts import Album

ENV = "urn:customs:ru-fts-envelope:1"
ENVELOPE = f"{{{ENV}}}"
MAX_HOUSES = 500
OFFICE = re.compile(r"^[0-9]{8}$")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def envelope_schema() -> etree.XMLSchema:
    return compiled(ru_envelope_xsd_path())


def process_id(envelope_id: str) -> str:
    """The process id shared by the messages of one exchange: derived from the first envelope."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:customs:ru-fts:process:{envelope_id}"))


def envelope(envelope_id: str, sender: str, receiver: str, at: datetime, process: str,
             mode_id: str, body: etree._Element, initial: str | None = None) -> etree._Element:
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


class RuFtsRegistryBuilder:
    """The BatchBuilder port for the ru-fts-express profile."""

    def __init__(self, signer: EnvelopedSigner, album: Album, sender: str, broker: str) -> None:
        self.signer, self.album, self.sender, self.broker = signer, album, sender, broker

    def registry(self, message_id: str, office: str, at: datetime,
                 declarations: list[bytes]) -> etree._Element:
        if not 1 <= len(declarations) <= MAX_HOUSES:
            raise ValueError(f"a registry holds 1 to {MAX_HOUSES} house waybills, "
                             f"not {len(declarations)}")
        houses, kinds, masters = [], set(), set()
        for document in declarations:
            parcel_registry = etree.fromstring(document, _PARSER)
            kinds.add(parcel_registry.findtext(ECD + "ExpressRegistryKindCode"))
            for house in parcel_registry.iter(ECD + "HouseShipment"):
                masters.add(etree.tostring(house.find(ECD + "TransportDocumentDetails")))
                houses.append(copy.deepcopy(house))
        if len(kinds) != 1 or len(masters) != 1:
            raise ValueError("one registry is one kind (ДТЭГ or ПТДЭГ) and one master waybill")
        registry_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:customs:ru-fts:{message_id}"))
        root, shipment = registry(registry_id, kinds.pop() or "", office, at, self.broker)
        anchor = shipment.find(ECD + "GoodsLocationDetails")
        assert anchor is not None
        for ordinal, house in enumerate(houses, start=1):
            ordinal_element = house.find(ECD + "ObjectOrdinal")
            assert ordinal_element is not None
            ordinal_element.text = str(ordinal)
            anchor.addnext(house)
            anchor = house
        add_totals(shipment)
        return root

    def build(self, message_id: str, office: str, profile: str, at: datetime,
              declarations: list[bytes]) -> SignedDocument:
        if not OFFICE.match(office):
            raise ValueError(f"the receiving customs office must have 8 digits, not {office!r}")
        root = self.registry(message_id, office, at, declarations)
        errors = self.album.validate(root, thorough=True)
        if errors:  # never signed, never sent
            raise ValueError("registry invalid against the FTS album: " + "; ".join(errors[:3]))
        wrapped = envelope(message_id, self.sender, office, at, process_id(message_id),
                           "1006275E", root)
        if not envelope_schema().validate(wrapped):
            raise ValueError(f"envelope invalid: {envelope_schema().error_log.last_error}")
        body = self.signer.sign_element(wrapped, at)
        return SignedDocument(body, hashlib.sha256(body).hexdigest(), self.signer.fingerprint,
                              self.signer.algorithm)
