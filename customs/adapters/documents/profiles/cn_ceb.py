"""The `cn-ceb` profile: parcels for China as GACC cross-border e-commerce import inventories
(CEB621, direct purchase 9610, 2022-05 message definitions), see docs/cn-ceb.md.

Each parcel's own declaration is a CEB621Message holding its one Inventory, validated against
the official import schema (both validators; the ds:Signature particle made optional) before it
is signed, signed as the definition requires (a `ds:Signature` over the whole message, URI ""),
and checked again as signed against the official schema itself. At sealing, the inventories of
one customs office are gathered into messages of at most 100 (authority/cn_ceb_message).

Identifiers the receipts (CEB622) name: the Inventory's `guid` is our declaration id in upper
case (36 characters, as the definition asks) and its `copNo` the tracking number (at most 20).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from customs.adapters.documents.profiles.cn_ceb_config import CebConfig, MissingValue
from customs.domain.model import Item, ManifestHeader, Parcel
from customs.domain.money import decimal_text
from schemas.cn_ceb import CEB_NS, CebSchemas

CEB = f"{{{CEB_NS}}}"
NSMAP = {"ceb": CEB_NS}
BEIJING = timezone(timedelta(hours=8))  # the GACC's times are China Standard Time
DIRECT_PURCHASE = "9610"
MAX_DECIMAL = Decimal("1E14")  # totalDigits 19 with 5 fraction digits
FIVE_PLACES = Decimal("0.00001")
ID_CARD = "national-id"  # the manifest's kind for a resident identity card (buyerIdType 1)


def el(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, CEB + name)
    if text is not None:
        element.text = text
    return element


def guid(identifier: str) -> str:
    """A message's or inventory's guid: our UUID in upper case (36 characters)."""
    try:
        return str(uuid.UUID(identifier)).upper()
    except ValueError:
        raise ValueError(f"{identifier!r} is not a UUID: CEB guids are 36-character UUIDs") \
            from None


def beijing(at: datetime, pattern: str = "%Y%m%d%H%M%S") -> str:
    return at.astimezone(BEIJING).strftime(pattern)


def amount(value: Decimal) -> str:
    """A CEB decimal: at most 5 fraction digits and 19 digits in all."""
    quantized = value.quantize(FIVE_PLACES, ROUND_HALF_UP).normalize()
    if abs(quantized) >= MAX_DECIMAL:
        raise ValueError(f"{value} has more digits than a CEB amount holds")
    return decimal_text(quantized if quantized != 0 else Decimal(0))


def fitted(text: str | None, largest: int, what: str) -> str:
    """Text of at most `largest` characters, whitespace collapsed; missing → MissingValue."""
    clean = " ".join((text or "").split())
    if not clean:
        raise MissingValue(f"the inventory needs {what}, which the parcel does not carry")
    return clean[:largest]


def message(root_name: str, message_id: str, version: str = "1.0") -> etree._Element:
    return etree.Element(CEB + root_name, {"guid": guid(message_id), "version": version},
                         nsmap=NSMAP)


def base_transfer(root: etree._Element, config: CebConfig) -> None:
    transfer = el(root, "BaseTransfer")
    el(transfer, "copCode", config.transfer.code)
    el(transfer, "copName", config.transfer.name)
    el(transfer, "dxpMode", "DXP")
    el(transfer, "dxpId", config.dxp_id)


def _head(inventory: etree._Element, parcel: Parcel, header: ManifestHeader,
          declaration_id: str, at: datetime, config: CebConfig) -> None:
    if len(header.customs_office) != 4:
        raise ValueError(f"customs office {header.customs_office!r}: the GACC's customs codes "
                         "have 4 digits")
    if len(parcel.tracking_number) > 20:
        raise ValueError(f"tracking number {parcel.tracking_number} is longer than the 20 "
                         "characters of copNo, which the receipts name")
    transport = header.transport
    if transport is None:
        raise MissingValue("direct purchase (9610) needs the manifest's Transport")
    r = parcel.recipient
    if r.personal_id is None:
        raise MissingValue("the inventory needs the buyer's ID number (Recipient/PersonalId)")
    logistics = config.logistics_for(parcel.courier)
    head = el(inventory, "InventoryHead")
    for name, text in (
        ("guid", guid(declaration_id)), ("appType", "1"), ("appTime", beijing(at)),
        ("appStatus", "2"), ("orderNo", fitted(parcel.order_ref, 60, "an order number")),
        ("ebpCode", config.platform.code), ("ebpName", config.platform.name),
        ("ebcCode", config.enterprise.code), ("ebcName", config.enterprise.name),
        ("logisticsNo", parcel.tracking_number), ("logisticsCode", logistics.code),
        ("logisticsName", logistics.name), ("copNo", parcel.tracking_number),
        ("assureCode", config.guarantee_code), ("ieFlag", "I"),
        ("declTime", beijing(at, "%Y%m%d")), ("customsCode", header.customs_office),
        ("portCode", header.customs_office),
        ("buyerIdType", "1" if r.personal_id.kind == ID_CARD else "2"),
        ("buyerIdNumber", fitted(r.personal_id.value, 60, "the buyer's ID number")),
        ("buyerName", fitted(r.name, 60, "the buyer's name")),
        ("buyerTelephone", fitted(r.phone, 30, "the buyer's telephone (Recipient/Phone)")),
        ("consigneeAddress", fitted(f"{r.address.city} {r.address.line} "
                                    f"{r.address.postal_code}", 200, "an address")),
        ("agentCode", config.agent.code), ("agentName", config.agent.name),
        ("tradeMode", DIRECT_PURCHASE),
        ("trafMode", config.code("transport_modes", transport.mode)),
        ("trafNo", fitted(transport.carrier, 100, "the carrier (Transport/Carrier)")),
        ("billNo", fitted(transport.master_waybill, 37, "the master waybill")),
        ("country", config.code("countries", parcel.seller.country)),
        ("freight", config.charges()), ("insuredFee", config.charges()),
        ("currency", _currency(parcel.declared_value.currency, config)),
        ("packNo", "1"), ("grossWeight", amount(parcel.gross_weight)),
        ("netWeight", amount(sum((i.net_weight for i in parcel.items), Decimal(0))))):
        el(head, name, text)


def _currency(code: str, config: CebConfig) -> str:
    if code != "CNY":
        raise MissingValue(f"values in {code}: the inventory takes values in CNY (142) only")
    return config.code("currencies", code)


def goods_line(parent: etree._Element, item: Item, number: int, config: CebConfig,
               country_code: str) -> None:
    """One InventoryList: gcode (10 digits), declared and legal quantities, values in CNY."""
    if len(item.hs_code) != 10:
        raise ValueError(f"item {number}: HS code {item.hs_code} must have 10 digits")
    unit = config.code("units", item.unit)
    legal = config.legal_unit(item.hs_code)
    if legal == config.code("units", "KGM"):
        legal_quantity = item.net_weight
    elif legal == unit:
        legal_quantity = item.quantity
    else:
        raise MissingValue(f"item {number}: quantity in {item.unit}, the legal unit of "
                           f"{item.hs_code} is {legal}: no legal quantity")
    line = el(parent, "InventoryList")
    name = fitted(item.description, 250, "a description")
    el(line, "gnum", str(number))
    if item.sku and len(item.sku) <= 20:
        el(line, "itemNo", item.sku)
    el(line, "itemName", name)
    for tag, text in (("gcode", item.hs_code), ("gname", name), ("gmodel", name),
                      ("country", country_code),
                      ("currency", _currency(item.value.currency, config)),
                      ("qty", amount(item.quantity)), ("unit", unit),
                      ("qty1", amount(legal_quantity)), ("unit1", legal),
                      ("price", amount(item.value.amount / item.quantity)),
                      ("totalPrice", amount(item.value.amount))):
        el(line, tag, text)


def inventory(parcel: Parcel, header: ManifestHeader, declaration_id: str, at: datetime,
              config: CebConfig) -> etree._Element:
    """One parcel as a CEB621 Inventory (head and goods lines)."""
    element = etree.Element(CEB + "Inventory", nsmap=NSMAP)
    _head(element, parcel, header, declaration_id, at, config)
    for number, item in enumerate(parcel.items, start=1):
        goods_line(element, item, number, config,
                   config.code("countries", item.origin_country))
    return element


class CnCebProfile:
    """The Profile port (customs.adapters.documents.declarer) for one parcel's CEB621."""

    name = "cn-ceb"

    def __init__(self, schemas: CebSchemas, config: CebConfig) -> None:
        self.schemas, self.config = schemas, config

    def render(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
               issued_at: datetime) -> etree._Element:
        root = message("CEB621Message", declaration_id)
        root.append(inventory(parcel, header, declaration_id, issued_at, self.config))
        base_transfer(root, self.config)
        return root

    def validate(self, element: etree._Element) -> list[str]:
        """Before signing: libxml2 only at intake (speed); the message that is sent is checked
        by both validators before it is signed (authority/cn_ceb_message)."""
        return self.schemas.validate(element, thorough=False, unsigned=True)

    def check_signed(self, document: bytes) -> list[str]:
        """As signed: the official schema itself, ds:Signature required."""
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        return self.schemas.validate(etree.fromstring(document, parser), thorough=False)
