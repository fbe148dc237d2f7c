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
_IOSS_NUMBER = _NS + "IossNumber"
_PRODUCT_URL = _NS + "ProductUrl"
_RECIPIENT_EXTRAS = {_NS + "Phone": "phone", _NS + "Email": "email",
                     _NS + "PersonalId": "personal_id", _NS + "TaxId": "tax_id"}


def _o(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = element.text
    return None if text is None else text.strip()


def parcel_from_element(element: etree._Element) -> Parcel:
    """The parcel is schema-valid, so every element sits where the schema's sequences put it:
    required ones are read by position, only optional ones are told apart by name (lxml builds
    a new string for each name read, dearer than reading a text). Children are elements only:
    the reader's parser drops comments and processing instructions, and the schema allows no
    foreign element. Every required text is there: each type demands at least one character.
    (Arguments by position: a third cheaper than by keyword, on the hottest path of intake.)"""
    top = list(element)
    at = 3 if top[2].tag == _HOUSE_WAYBILL else 2
    seller, recipient, gross, declared = top[at:at + 4]
    rest = top[at + 4:]
    ioss = rest[0] if rest[0].tag == _IOSS_NUMBER else None
    # Parcel(tracking_number, courier, seller, recipient, gross_weight, declared_value, items,
    #        house_waybill, ioss_number)
    return Parcel(
        top[0].text.strip(), top[1].text.strip(), _seller(seller), _recipient(recipient),
        parse_decimal(gross.text), _money(declared),
        tuple(map(_item, rest if ioss is None else rest[1:])),
        top[2].text.strip() if at == 3 else None, _o(ioss))


def _seller(element: etree._Element) -> Seller:
    """Name, Country, Address (optional), ShopUrl."""
    fields = list(element)
    return Seller(fields[0].text.strip(), fields[1].text.strip(), fields[-1].text.strip(),
                  fields[2].text.strip() if len(fields) == 4 else None)


def _recipient(element: etree._Element) -> Recipient:
    """Name, Address, then Phone, Email, PersonalId, TaxId, each optional."""
    name, address, *extras = element
    found: dict[str, etree._Element] = {_RECIPIENT_EXTRAS[e.tag]: e for e in extras}
    pid = found.get("personal_id")
    line, city, postal_code, country = address
    return Recipient(
        name.text.strip(),
        Address(line.text.strip(), city.text.strip(), postal_code.text.strip(),
                country.text.strip()),
        _o(found.get("phone")), _o(found.get("email")),
        None if pid is None else PersonalId(pid.get("type", ""), pid.text),
        _o(found.get("tax_id")))


def _item(element: etree._Element) -> Item:
    """Description, HSCode, OriginCountry, Quantity, NetWeight, Value, then ProductUrl and Sku,
    each optional."""
    description, hs_code, origin, quantity, net_weight, value, *extras = element
    url = extras[0] if extras and extras[0].tag == _PRODUCT_URL else None
    sku = extras[-1] if extras and extras[-1] is not url else None
    # Item(description, hs_code, origin_country, quantity, unit, net_weight, value,
    #      product_url, sku)
    return Item(description.text.strip(), hs_code.text.strip(), origin.text.strip(),
                parse_decimal(quantity.text), quantity.get("unit", ""),
                parse_decimal(net_weight.text), _money(value), _o(url), _o(sku))
