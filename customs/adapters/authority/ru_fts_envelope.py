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

from customs.adapters.documents.profiles.ru_fts_correction import carry_correction, is_correction
from customs.adapters.documents.profiles.ru_fts_express import ECD, add_totals, registry
from customs.adapters.documents.profiles.ru_fts_routing import (
    DECLARATION_MODE,
    carried,
    envelope,
    envelope_errors,
    process_id,
)
from customs.adapters.documents.signer import EnvelopedSigner
from customs.services.ports import SignedDocument
from schemas.ru_fts import Album

MAX_HOUSES = 500
OFFICE = re.compile(r"^[0-9]{8}$")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class RuFtsRegistryBuilder:
    """The BatchBuilder port for the ru-fts-express profile."""

    def __init__(self, signer: EnvelopedSigner, album: Album, sender: str, broker: str) -> None:
        self.signer, self.album, self.sender, self.broker = signer, album, sender, broker

    def registry(self, message_id: str, office: str, at: datetime,
                 declarations: list[bytes]) -> etree._Element:
        if not 1 <= len(declarations) <= MAX_HOUSES:
            raise ValueError(f"a registry holds 1 to {MAX_HOUSES} house waybills, "
                             f"not {len(declarations)}")
        houses, kinds, masters, corrected = [], set(), set(), []
        for document in declarations:
            parcel_registry = carried(etree.fromstring(document, _PARSER))
            kinds.add(parcel_registry.findtext(ECD + "ExpressRegistryKindCode"))
            corrected.append(parcel_registry if is_correction(parcel_registry) else None)
            for house in parcel_registry.iter(ECD + "HouseShipment"):
                masters.add(etree.tostring(house.find(ECD + "TransportDocumentDetails")))
                houses.append(copy.deepcopy(house))
        if len(kinds) != 1 or len(masters) != 1:
            raise ValueError("one registry is one kind (ДТЭГ or ПТДЭГ) and one master waybill")
        if len({c is None for c in corrected}) != 1:
            raise ValueError("a registry is all corrections or none (their group keys differ)")
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
        if corrected[0] is not None:  # the group's key holds the corrected registry's number
            carry_correction(root, corrected[0])
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
                           DECLARATION_MODE, root)
        errors = envelope_errors(wrapped)
        if errors:
            raise ValueError(errors[0])
        body = self.signer.sign_element(wrapped, at)
        return SignedDocument(body, hashlib.sha256(body).hexdigest(), self.signer.fingerprint,
                              self.signer.algorithm)
