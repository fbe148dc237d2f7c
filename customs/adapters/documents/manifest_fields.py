"""Schema-valid manifest elements → canonical domain objects (no validation happens here)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from customs.domain.construct import builder
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
from customs.domain.money import Money
from schemas import MANIFEST_NS

_NS = f"{{{MANIFEST_NS}}}"


def _text(element: etree._Element, name: str) -> str:
    found = element.find(_NS + name)
    return "" if found is None or found.text is None else found.text.strip()


def _optional(element: etree._Element, name: str) -> str | None:
    found = element.find(_NS + name)
    return None if found is None or found.text is None else found.text.strip()


def xsd_datetime(text: str) -> datetime:
    """xs:dateTime → datetime; XSD allows years and hours (24:00) that Python cannot hold."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ManifestRefused("MANIFEST_ENVELOPE_INVALID",
                              f"IssuedAt {text!r} is outside the supported range") from None


def xsd_date(text: str) -> date:
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
            expected_arrival=xsd_date(arrival) if arrival else None,
        )
    return ManifestHeader(
        ref=_text(root, "ManifestRef"),
        issued_at=xsd_datetime(_text(root, "IssuedAt")),
        destination_country=_text(destination, "Country"),
        customs_office=_text(destination, "CustomsOffice"),
        transport=transport,
    )


_HOUSE_WAYBILL = _NS + "HouseWaybill"
_PRODUCT_URL = _NS + "ProductUrl"
_RECIPIENT_EXTRAS = {_NS + "Phone": 0, _NS + "Email": 1, _NS + "PersonalId": 2, _NS + "TaxId": 3}
# Frozen domain objects built without the frozen __init__'s per-field object.__setattr__
_Parcel, _Seller, _Recipient, _Address, _Item, _Money, _PersonalId = map(
    builder, (Parcel, Seller, Recipient, Address, Item, Money, PersonalId))


def parcel_from_element(element: etree._Element) -> tuple[Parcel, int]:
    """The canonical parcel of a schema-valid Parcel element, and how many elements it has
    (itself included).

    Every element sits where the schema's sequences put it: required ones are read by
    position, optional ones told apart by whether they have children (Seller and Item do, the
    optional leaves before them do not) or, among optional leaves, by name (a tag is a new
    string each time it is read: dearer than a text). Children are elements only: the reader's
    parser drops comments and processing instructions, and the schema allows no foreign
    element. Every required text is there (each type demands a character) and every number is
    an xs:decimal, which `Decimal` reads whole (surrounding blanks included)."""
    top = list(element)
    at = 2 if len(top[2]) else 3  # HouseWaybill (a leaf) or already the Seller
    seller, recipient, gross, declared, *rest = top[at:]
    ioss = None if len(rest[0]) else rest.pop(0)
    order = None if len(rest[-1]) else rest.pop()  # OrderRef, a leaf after the Items
    seller_fields = list(seller)
    name, address, *extras = recipient
    address_fields = list(address)
    items = [list(item) for item in rest]
    size = (1 + len(top) + len(seller_fields) + 2 + len(extras) + len(address_fields)
            + sum(map(len, items)))
    return _Parcel(
        top[0].text.strip(), top[1].text.strip(), _seller(seller_fields),
        _recipient(name, address_fields, extras), Decimal(gross.text),
        _Money(Decimal(declared.text), declared.get("currency", "")),
        tuple(map(_item, items)), top[2].text.strip() if at == 3 else None,
        None if ioss is None else ioss.text.strip(),
        None if order is None else order.text.strip()), size


def _seller(fields: list[etree._Element]) -> Seller:
    """Name, Country, Address (optional), ShopUrl."""
    return _Seller(fields[0].text.strip(), fields[1].text.strip(), fields[-1].text.strip(),
                   fields[2].text.strip() if len(fields) == 4 else None)


def _recipient(name: etree._Element, address: list[etree._Element],
               extras: list[etree._Element]) -> Recipient:
    """Name, Address, then Phone, Email, PersonalId, TaxId, each optional."""
    found: list[etree._Element | None] = [None, None, None, None]
    if len(extras) == 4:
        found = extras
    else:
        for extra in extras:
            found[_RECIPIENT_EXTRAS[extra.tag]] = extra
    phone, email, pid, tax_id = found
    line, city, postal_code, country = address
    return _Recipient(
        name.text.strip(),
        _Address(line.text.strip(), city.text.strip(), postal_code.text.strip(),
                 country.text.strip()),
        None if phone is None else phone.text.strip(),
        None if email is None else email.text.strip(),
        None if pid is None else _PersonalId(pid.get("type", ""), pid.text),
        None if tax_id is None else tax_id.text.strip())


def _item(fields: list[etree._Element]) -> Item:
    """Description, HSCode, OriginCountry, Quantity, NetWeight, Value, then ProductUrl and Sku,
    each optional."""
    description, hs_code, origin, quantity, net_weight, value, *extras = fields
    url = sku = None
    if len(extras) == 2:
        url, sku = extras[0].text.strip(), extras[1].text.strip()
    elif extras:
        text = extras[0].text.strip()
        url, sku = (text, None) if extras[0].tag == _PRODUCT_URL else (None, text)
    return _Item(description.text.strip(), hs_code.text.strip(), origin.text.strip(),
                 Decimal(quantity.text), quantity.get("unit", ""), Decimal(net_weight.text),
                 _Money(Decimal(value.text), value.get("currency", "")), url, sku)
