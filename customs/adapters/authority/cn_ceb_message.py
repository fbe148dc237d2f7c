"""cn-ceb messages out: the inventories of one customs office in CEB621Messages of at most 100,
validated against the official import schema by BOTH validators before signing, signed as the
definition requires (ds:Signature over the message, URI ""), and checked as signed against the
official schema (see docs/cn-ceb.md)."""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime

from lxml import etree

from customs.adapters.documents.profiles.cn_ceb import CEB, base_transfer, message
from customs.adapters.documents.profiles.cn_ceb_config import CebConfig
from customs.adapters.documents.profiles.cn_ceb_export import CebExportBuilder
from customs.adapters.documents.signer import EnvelopedSigner
from customs.services.ports import SignedDocument
from schemas.cn_ceb import CebSchemas

MAX_INVENTORIES = 100  # CEB621Message: Inventory maxOccurs="100"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def parse(document: bytes) -> etree._Element:
    return etree.fromstring(document, _PARSER)


def inventories(declarations: list[bytes]) -> list[etree._Element]:
    """The one Inventory of each declaration, in order."""
    found = []
    for document in declarations:
        inventory = parse(document).findall(CEB + "Inventory")
        if len(inventory) != 1:
            raise ValueError("each declaration holds exactly one Inventory")
        found.append(inventory[0])
    return found


class CebExportMessageBuilder:
    """The BatchBuilder port for the export leg (cn-ceb-export): the declarations' CEB603
    inventories in CEB603Messages of at most 100, checked and signed by CebExportBuilder."""

    capacity = MAX_INVENTORIES

    def __init__(self, signer: EnvelopedSigner, schemas: CebSchemas, config: CebConfig) -> None:
        self.builder = CebExportBuilder(signer, schemas, config)

    def build(self, message_id: str, office: str, profile: str, at: datetime,
              declarations: list[bytes]) -> SignedDocument:
        return self.builder.build(message_id, inventories(declarations), at)


class CebMessageBuilder:
    """The BatchBuilder port for the cn-ceb profile."""

    capacity = MAX_INVENTORIES

    def __init__(self, signer: EnvelopedSigner, schemas: CebSchemas, config: CebConfig) -> None:
        self.signer, self.schemas, self.config = signer, schemas, config

    def message(self, message_id: str, declarations: list[bytes]) -> etree._Element:
        """The unsigned CEB621Message of the declarations' inventories, in their order."""
        if not 1 <= len(declarations) <= MAX_INVENTORIES:
            raise ValueError(f"a CEB621Message holds 1 to {MAX_INVENTORIES} inventories, "
                             f"not {len(declarations)}")
        root = message("CEB621Message", message_id)
        for found in inventories(declarations):
            root.append(copy.deepcopy(found))
        base_transfer(root, self.config)
        return root

    def build(self, message_id: str, office: str, profile: str, at: datetime,
              declarations: list[bytes]) -> SignedDocument:
        root = self.message(message_id, declarations)
        errors = self.schemas.validate(root, thorough=True, unsigned=True)
        if errors:  # never signed, never sent
            raise ValueError("CEB621Message invalid against the GACC schema: " +
                             "; ".join(errors[:3]))
        body = self.signer.sign_element(root, at)
        errors = self.schemas.validate(parse(body), thorough=False)
        if errors:
            raise ValueError("signed CEB621Message invalid: " + "; ".join(errors[:3]))
        return SignedDocument(body, hashlib.sha256(body).hexdigest(), self.signer.fingerprint,
                              self.signer.algorithm)
