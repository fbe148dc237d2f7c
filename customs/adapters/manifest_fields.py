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


class _Fields:
    """The children of one element by local name, read in one pass (faster than find())."""

    __slots__ = ("children",)

    def __init__(self, element: etree._Element) -> None:
        skip = len(_NS)
        self.children = {child.tag[skip:]: child for child in element}

    def el(self, name: str) -> etree._Element:
        return self.children[name]

    def text(self, name: str) -> str:
        found = self.children.get(name)
        return "" if found is None or found.text is None else found.text.strip()

    def optional(self, name: str) -> str | None:
        found = self.children.get(name)
        return None if found is None or found.text is None else found.text.strip()


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
    f = _Fields(element)
    seller = _Fields(f.el("Seller"))
    return Parcel(
        tracking_number=f.text("TrackingNumber"),
        courier=f.text("Courier"),
        house_waybill=f.optional("HouseWaybill"),
        seller=Seller(
            name=seller.text("Name"),
            country=seller.text("Country"),
            address=seller.optional("Address"),
            shop_url=seller.text("ShopUrl"),
        ),
        recipient=_recipient(f.el("Recipient")),
        gross_weight=parse_decimal(f.text("GrossWeight")),
        declared_value=_money(f.el("DeclaredValue")),
        ioss_number=f.optional("IossNumber"),
        items=tuple(_item(item) for item in element.iterchildren(_NS + "Item")),
    )


def _recipient(element: etree._Element) -> Recipient:
    f = _Fields(element)
    address = _Fields(f.el("Address"))
    pid = f.children.get("PersonalId")
    return Recipient(
        name=f.text("Name"),
        address=Address(
            line=address.text("Line"),
            city=address.text("City"),
            postal_code=address.text("PostalCode"),
            country=address.text("Country"),
        ),
        phone=f.optional("Phone"),
        email=f.optional("Email"),
        personal_id=None if pid is None else PersonalId(pid.get("type", ""), (pid.text or "")),
        tax_id=f.optional("TaxId"),
    )


def _item(element: etree._Element) -> Item:
    f = _Fields(element)
    quantity = f.el("Quantity")
    return Item(
        description=f.text("Description"),
        hs_code=f.text("HSCode"),
        origin_country=f.text("OriginCountry"),
        quantity=parse_decimal(quantity.text or ""),
        unit=quantity.get("unit", ""),
        net_weight=parse_decimal(f.text("NetWeight")),
        value=_money(f.el("Value")),
        product_url=f.optional("ProductUrl"),
        sku=f.optional("Sku"),
    )
