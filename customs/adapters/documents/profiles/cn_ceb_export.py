"""Export inventories (CEB603, e-commerce export 9610) for parcels leaving China: the export
leg of a two-leg parcel (customs.domain.legs), declared by `CnCebExportProfile` at the office
of the configuration's [export] customs_code. The receipts (CEB604) are read by
customs.adapters.authority.cn_ceb_replies, as the import ones.

`export_inventory` makes one parcel's Inventory; `export_message` gathers at most 100 into a
CEB603Message, validated against the official export schema (both validators) before it is
signed (the export definition makes the signature optional; we always sign). Identifiers as on
import: the Inventory's guid is our declaration id in upper case, copNo the tracking number."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from lxml import etree

from customs.adapters.documents.declarer import ElementSigner
from customs.adapters.documents.profiles.cn_ceb import (
    amount,
    base_transfer,
    beijing,
    el,
    fitted,
    guid,
    message,
)
from customs.adapters.documents.profiles.cn_ceb_config import CebConfig, MissingValue
from customs.domain.model import Item, ManifestHeader, Parcel
from customs.services.ports import SignedDocument
from schemas.cn_ceb import CEB_NS, CebSchemas

MAX_INVENTORIES = 100
SIMPLIFIED = "A"  # statisticsFlag: simplified declaration (no licence, export duty or rebate)
TOTAL_PRICE = "3"  # fFlag / iFlag: the charge is a total


def _head(inventory: etree._Element, parcel: Parcel, header: ManifestHeader,
          declaration_id: str, at: datetime, config: CebConfig) -> None:
    if config.owner is None:
        raise MissingValue("no actual shipper in the cn-ceb configuration ([owner])")
    transport = header.transport
    if transport is None:
        raise MissingValue("an export inventory needs the manifest's Transport")
    if len(parcel.tracking_number) > 30 or len(header.customs_office) != 4:
        raise ValueError("copNo holds 30 characters and customs codes have 4 digits")
    logistics = config.logistics_for(parcel.courier)
    country = header.destination_country
    currency = config.code("currencies", parcel.declared_value.currency)
    head = el(inventory, "InventoryHead")
    for name, text in (
        ("guid", guid(declaration_id)), ("appType", "1"), ("appTime", beijing(at)),
        ("appStatus", "2"), ("customsCode", header.customs_office),
        ("ebpCode", config.platform.code), ("ebpName", config.platform.name),
        ("orderNo", fitted(parcel.order_ref, 60, "an order number")),
        ("logisticsCode", logistics.code), ("logisticsName", logistics.name),
        ("logisticsNo", fitted(parcel.tracking_number, 32, "a tracking number")),
        ("copNo", parcel.tracking_number), ("ieFlag", "E"),
        ("portCode", header.customs_office),
        ("ieDate", beijing(datetime.combine(transport.expected_arrival, at.timetz())
                           if transport.expected_arrival else at, "%Y%m%d")),
        ("statisticsFlag", SIMPLIFIED), ("agentCode", config.agent.code),
        ("agentName", config.agent.name), ("ebcCode", config.enterprise.code),
        ("ebcName", config.enterprise.name), ("ownerCode", config.owner.code),
        ("ownerName", config.owner.name), ("tradeMode", "9610"),
        ("trafMode", config.code("transport_modes", transport.mode))):
        el(head, name, text)
    if transport.carrier:
        el(head, "trafName", fitted(transport.carrier, 100, "the carrier"))
    if transport.master_waybill:
        el(head, "billNo", transport.master_waybill[:37])
    for name, text in (
        ("country", config.code("countries", country)), ("POD", config.port_for(country)),
        ("freight", config.charges()), ("fCurrency", currency), ("fFlag", TOTAL_PRICE),
        ("insuredFee", config.charges()), ("iCurrency", currency), ("iFlag", TOTAL_PRICE),
        ("wrapType", config.packaging()), ("packNo", "1"),
        ("grossWeight", amount(parcel.gross_weight)),
        ("netWeight", amount(sum((i.net_weight for i in parcel.items), Decimal(0))))):
        el(head, name, text)


def _line(inventory: etree._Element, item: Item, number: int, config: CebConfig,
          country: str) -> None:
    """One InventoryList in the export definition's order (quantities before units)."""
    if len(item.hs_code) != 10:
        raise ValueError(f"item {number}: HS code {item.hs_code} must have 10 digits")
    if not item.sku or len(item.sku) > 20:
        raise MissingValue(f"item {number}: the export inventory needs the SKU (itemNo, at "
                           "most 20 characters)")
    unit = config.code("units", item.unit)
    legal = config.legal_unit(item.hs_code)
    if legal not in (unit, config.code("units", "KGM")):
        raise MissingValue(f"item {number}: no legal quantity in {legal} for {item.hs_code}")
    legal_quantity = item.quantity if legal == unit else item.net_weight
    name = fitted(item.description, 250, "a description")
    line = el(inventory, "InventoryList")
    for tag, text in (
        ("gnum", str(number)), ("itemNo", item.sku), ("itemName", name),
        ("gcode", item.hs_code), ("gname", name), ("gmodel", name),
        ("barCode", "无"),  # the definition's word for "no bar code"
        ("country", country), ("currency", config.code("currencies", item.value.currency)),
        ("qty", amount(item.quantity)), ("qty1", amount(legal_quantity)), ("unit", unit),
        ("unit1", legal), ("price", amount(item.value.amount / item.quantity)),
        ("totalPrice", amount(item.value.amount))):
        el(line, tag, text)


def export_inventory(parcel: Parcel, header: ManifestHeader, declaration_id: str,
                     at: datetime, config: CebConfig) -> etree._Element:
    """One parcel leaving China as a CEB603 Inventory; MissingValue/ValueError say why not."""
    inventory = etree.Element(f"{{{CEB_NS}}}Inventory", nsmap={"ceb": CEB_NS})
    _head(inventory, parcel, header, declaration_id, at, config)
    country = config.code("countries", header.destination_country)
    for number, item in enumerate(parcel.items, start=1):
        _line(inventory, item, number, config, country)
    return inventory


def export_message(message_id: str, inventories: list[etree._Element],
                   config: CebConfig) -> etree._Element:
    """The unsigned CEB603Message of 1 to 100 inventories, in their order."""
    if not 1 <= len(inventories) <= MAX_INVENTORIES:
        raise ValueError(f"a CEB603Message holds 1 to {MAX_INVENTORIES} inventories, "
                         f"not {len(inventories)}")
    root = message("CEB603Message", message_id)
    for inventory in inventories:
        root.append(copy.deepcopy(inventory))
    base_transfer(root, config)
    return root


class CebExportBuilder:
    """CEB603Messages validated (both validators) before signing, signed with the signer's
    ElementSigner interface (URI "": the whole message), checked again as signed."""

    capacity = MAX_INVENTORIES

    def __init__(self, signer: ElementSigner, schemas: CebSchemas, config: CebConfig) -> None:
        self.signer, self.schemas, self.config = signer, schemas, config

    def build(self, message_id: str, inventories: list[etree._Element],
              at: datetime) -> SignedDocument:
        root = export_message(message_id, inventories, self.config)
        errors = self.schemas.validate(root, thorough=True)
        if errors:
            raise ValueError("CEB603Message invalid against the GACC schema: " +
                             "; ".join(errors[:3]))
        body = self.signer.sign_element(root, at)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        errors = self.schemas.validate(etree.fromstring(body, parser), thorough=False)
        if errors:
            raise ValueError("signed CEB603Message invalid: " + "; ".join(errors[:3]))
        return SignedDocument(body, hashlib.sha256(body).hexdigest(), self.signer.fingerprint,
                              self.signer.algorithm)


PROFILE = "cn-ceb-export"


class CnCebExportProfile:
    """The Profile port (customs.adapters.documents.declarer) for one parcel's export leg: a
    CEB603Message holding its one Inventory, declared at the export customs office."""

    name = PROFILE

    def __init__(self, schemas: CebSchemas, config: CebConfig) -> None:
        self.schemas, self.config = schemas, config

    def render(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
               issued_at: datetime) -> etree._Element:
        at_origin = replace(header, customs_office=self.config.export_customs_code())
        return export_message(declaration_id, [export_inventory(
            parcel, at_origin, declaration_id, issued_at, self.config)], self.config)

    def validate(self, element: etree._Element) -> list[str]:
        """libxml2 at declaration; the message sent is checked by both validators."""
        return self.schemas.validate(element, thorough=False)

    def check_signed(self, document: bytes) -> list[str]:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        return self.schemas.validate(etree.fromstring(document, parser), thorough=False)
