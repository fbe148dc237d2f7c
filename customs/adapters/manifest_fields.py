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


_HOUSE_WAYBILL = _NS + "HouseWaybill"
_IOSS_NUMBER = _NS + "IossNumber"
_PRODUCT_URL = _NS + "ProductUrl"
_RECIPIENT_EXTRAS = {_NS + "Phone": "phone", _NS + "Email": "email",
                     _NS + "PersonalId": "personal_id", _NS + "TaxId": "tax_id"}


def _s(element: etree._Element) -> str:
    text = element.text
    return "" if text is None else text.strip()


def _o(element: etree._Element) -> str | None:
    text = element.text
    return None if text is None else text.strip()


def parcel_from_element(element: etree._Element) -> Parcel:
    """The parcel is schema-valid, so every element sits where the schema's sequences put it:
    required ones are read by position, only optional ones are told apart by name (lxml builds
    a new string for each name read, dearer than reading a text). Children are elements only:
    the reader's parser drops comments and processing instructions, and the schema allows no
    foreign element."""
    top = list(element)
    at = 3 if top[2].tag == _HOUSE_WAYBILL else 2
    seller, recipient, gross, declared = top[at:at + 4]
    rest = top[at + 4:]
    ioss = rest[0] if rest[0].tag == _IOSS_NUMBER else None
    return Parcel(
        tracking_number=_s(top[0]),
        courier=_s(top[1]),
        house_waybill=_o(top[2]) if at == 3 else None,
        seller=_seller(seller),
        recipient=_recipient(recipient),
        gross_weight=parse_decimal(_s(gross)),
        declared_value=_money(declared),
        ioss_number=None if ioss is None else _o(ioss),
        items=tuple(_item(item) for item in (rest if ioss is None else rest[1:])),
    )


def _seller(element: etree._Element) -> Seller:
    """Name, Country, Address (optional), ShopUrl."""
    fields = list(element)
    return Seller(name=_s(fields[0]), country=_s(fields[1]), shop_url=_s(fields[-1]),
                  address=_o(fields[2]) if len(fields) == 4 else None)


def _recipient(element: etree._Element) -> Recipient:
    """Name, Address, then Phone, Email, PersonalId, TaxId, each optional."""
    name, address, *extras = element
    found: dict[str, etree._Element] = {_RECIPIENT_EXTRAS[e.tag]: e for e in extras}
    phone, email = found.get("phone"), found.get("email")
    pid, tax_id = found.get("personal_id"), found.get("tax_id")
    line, city, postal_code, country = address
    return Recipient(
        name=_s(name),
        address=Address(line=_s(line), city=_s(city), postal_code=_s(postal_code),
                        country=_s(country)),
        phone=None if phone is None else _o(phone),
        email=None if email is None else _o(email),
        personal_id=None if pid is None else PersonalId(pid.get("type", ""), pid.text or ""),
        tax_id=None if tax_id is None else _o(tax_id),
    )


def _item(element: etree._Element) -> Item:
    """Description, HSCode, OriginCountry, Quantity, NetWeight, Value, then ProductUrl and Sku,
    each optional."""
    description, hs_code, origin, quantity, net_weight, value, *extras = element
    url = extras[0] if extras and extras[0].tag == _PRODUCT_URL else None
    sku = extras[-1] if extras and extras[-1] is not url else None
    return Item(
        description=_s(description),
        hs_code=_s(hs_code),
        origin_country=_s(origin),
        quantity=parse_decimal(quantity.text or ""),
        unit=quantity.get("unit", ""),
        net_weight=parse_decimal(_s(net_weight)),
        value=_money(value),
        product_url=None if url is None else _o(url),
        sku=None if sku is None else _o(sku),
    )
