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


def parcel_from_element(element: etree._Element) -> Parcel:
    seller = element.find(_NS + "Seller")
    return Parcel(
        tracking_number=_text(element, "TrackingNumber"),
        courier=_text(element, "Courier"),
        house_waybill=_optional(element, "HouseWaybill"),
        seller=Seller(
            name=_text(seller, "Name"),
            country=_text(seller, "Country"),
            address=_optional(seller, "Address"),
            shop_url=_text(seller, "ShopUrl"),
        ),
        recipient=_recipient(element.find(_NS + "Recipient")),
        gross_weight=parse_decimal(_text(element, "GrossWeight")),
        declared_value=_money(element.find(_NS + "DeclaredValue")),
        ioss_number=_optional(element, "IossNumber"),
        items=tuple(_item(item) for item in element.iterfind(_NS + "Item")),
    )


def _recipient(element: etree._Element) -> Recipient:
    address = element.find(_NS + "Address")
    pid = element.find(_NS + "PersonalId")
    return Recipient(
        name=_text(element, "Name"),
        address=Address(
            line=_text(address, "Line"),
            city=_text(address, "City"),
            postal_code=_text(address, "PostalCode"),
            country=_text(address, "Country"),
        ),
        phone=_optional(element, "Phone"),
        email=_optional(element, "Email"),
        personal_id=None if pid is None else PersonalId(pid.get("type", ""), (pid.text or "")),
        tax_id=_optional(element, "TaxId"),
    )


def _item(element: etree._Element) -> Item:
    quantity = element.find(_NS + "Quantity")
    return Item(
        description=_text(element, "Description"),
        hs_code=_text(element, "HSCode"),
        origin_country=_text(element, "OriginCountry"),
        quantity=parse_decimal(quantity.text or ""),
        unit=quantity.get("unit", ""),
        net_weight=parse_decimal(_text(element, "NetWeight")),
        value=_money(element.find(_NS + "Value")),
        product_url=_optional(element, "ProductUrl"),
        sku=_optional(element, "Sku"),
    )
