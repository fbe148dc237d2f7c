"""Schema-valid manifest elements → canonical domain objects (no validation happens here)."""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from customs.domain.errors import ManifestRefused
from customs.domain.model import (
    Address,
    Item,
    ManifestHeader,
    Parcel,
    PersonalId,
    Recipient,
    Seller,
    Transport,
)
from customs.domain.money import Money, parse_decimal
from schemas import MANIFEST_NS

_NS = f"{{{MANIFEST_NS}}}"


def _text(element: etree._Element, name: str) -> str:
    found = element.find(_NS + name)
    return "" if found is None or found.text is None else found.text.strip()


def _optional(element: etree._Element, name: str) -> str | None:
    found = element.find(_NS + name)
    return None if found is None or found.text is None else found.text.strip()


def _money(element: etree._Element) -> Money:
    return Money(parse_decimal(element.text or ""), element.get("currency", ""))


def _datetime(text: str) -> datetime:
    """xs:dateTime → datetime; XSD allows years and hours (24:00) that Python cannot hold."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ManifestRefused("MANIFEST_ENVELOPE_INVALID",
                              f"IssuedAt {text!r} is outside the supported range") from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ManifestRefused("MANIFEST_ENVELOPE_INVALID",
                              f"ExpectedArrival {text!r} is outside the supported range") from None


def header_from_element(root: etree._Element) -> ManifestHeader:
    destination = root.find(_NS + "Destination")
    transport_el = root.find(_NS + "Transport")
    transport = None
    if transport_el is not None:
        arrival = _optional(transport_el, "ExpectedArrival")
        transport = Transport(
            mode=_text(transport_el, "Mode"),
            master_waybill=_optional(transport_el, "MasterWaybill"),
            carrier=_optional(transport_el, "Carrier"),
            expected_arrival=_date(arrival) if arrival else None,
        )
    return ManifestHeader(
        ref=_text(root, "ManifestRef"),
        issued_at=_datetime(_text(root, "IssuedAt")),
        destination_country=_text(destination, "Country"),
        customs_office=_text(destination, "CustomsOffice"),
        transport=transport,
    )


_TOP = frozenset({"TrackingNumber", "Courier", "HouseWaybill", "GrossWeight", "DeclaredValue",
                  "IossNumber"})
_AFTER_ADDRESS = frozenset({"Phone", "Email", "PersonalId", "TaxId"})
_ANY = _NS + "*"


def parcel_from_element(element: etree._Element) -> Parcel:
    """One pass over the parcel's elements in document order (the schema fixes the order, so
    the section a name belongs to is known from the names seen so far): a third of the cost
    of looking each child up section by section."""
    top: dict[str, etree._Element] = {}
    seller: dict[str, etree._Element] = {}
    recipient: dict[str, etree._Element] = {}
    address: dict[str, etree._Element] = {}
    items: list[dict[str, etree._Element]] = []
    current = top
    skip = len(_NS)
    for child in element.iterdescendants(_ANY):
        name = child.tag[skip:]
        if name == "Seller":
            current = seller
        elif name == "Recipient":
            current = recipient
        elif name == "Address" and current is recipient:
            current = address
        elif name == "Item":
            current = {}
            items.append(current)
        else:
            if name in _TOP:
                current = top
            elif current is address and name in _AFTER_ADDRESS:
                current = recipient
            current[name] = child
    pid = recipient.get("PersonalId")
    return Parcel(
        tracking_number=_t(top, "TrackingNumber"),
        courier=_t(top, "Courier"),
        house_waybill=_o(top, "HouseWaybill"),
        seller=Seller(name=_t(seller, "Name"), country=_t(seller, "Country"),
                      address=_o(seller, "Address"), shop_url=_t(seller, "ShopUrl")),
        recipient=Recipient(
            name=_t(recipient, "Name"),
            address=Address(line=_t(address, "Line"), city=_t(address, "City"),
                            postal_code=_t(address, "PostalCode"),
                            country=_t(address, "Country")),
            phone=_o(recipient, "Phone"),
            email=_o(recipient, "Email"),
            personal_id=None if pid is None else PersonalId(pid.get("type", ""),
                                                            (pid.text or "")),
            tax_id=_o(recipient, "TaxId"),
        ),
        gross_weight=parse_decimal(_t(top, "GrossWeight")),
        declared_value=_money(top["DeclaredValue"]),
        ioss_number=_o(top, "IossNumber"),
        items=tuple(_item(item) for item in items),
    )


def _t(fields: dict[str, etree._Element], name: str) -> str:
    found = fields.get(name)
    return "" if found is None or found.text is None else found.text.strip()


def _o(fields: dict[str, etree._Element], name: str) -> str | None:
    found = fields.get(name)
    return None if found is None or found.text is None else found.text.strip()


def _item(f: dict[str, etree._Element]) -> Item:
    quantity = f["Quantity"]
    return Item(
        description=_t(f, "Description"),
        hs_code=_t(f, "HSCode"),
        origin_country=_t(f, "OriginCountry"),
        quantity=parse_decimal(quantity.text or ""),
        unit=quantity.get("unit", ""),
        net_weight=parse_decimal(_t(f, "NetWeight")),
        value=_money(f["Value"]),
        product_url=_o(f, "ProductUrl"),
        sku=_o(f, "Sku"),
    )
