"""The `generic` profile: our WCO-aligned per-parcel declaration (generic:1 namespace)."""

from __future__ import annotations

import re
import threading
from datetime import datetime
from functools import cache

from lxml import etree

from customs.domain.model import Item, ManifestHeader, Parcel
from customs.domain.money import decimal_text
from schemas import compiled, declaration_xsd_path

NS = "urn:customs:declaration:generic:1"


@cache
def _schema() -> etree.XMLSchema:
    return compiled(declaration_xsd_path("generic"))


_local = threading.local()


def _parser() -> etree.XMLParser:
    """For our own rendered text: no DTD, no entities, no network. One per thread (an lxml
    parser is not to be shared between threads)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(resolve_entities=False, no_network=True,
                                                 load_dtd=False)
    return parser


# Escaped exactly as exclusive C14N writes text and attribute values, so the rendered text is
# already the declaration's canonical form (tests/unit/test_generic_render.py checks it against
# lxml's C14N): the signature digests it without canonicalizing the tree again.
_TEXT = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#xD;"))
_ATTR = (("&", "&amp;"), ("<", "&lt;"), ('"', "&quot;"), ("\t", "&#x9;"), ("\n", "&#xA;"),
         ("\r", "&#xD;"))
_SPECIAL_TEXT = re.compile("[&<>\r]").search
_SPECIAL_ATTR = re.compile('[&<"\t\n\r]').search


def _escape(value: str, table: tuple[tuple[str, str], ...]) -> str:
    for raw, escaped in table:
        value = value.replace(raw, escaped)
    return value


def _t(value: str) -> str:
    """Text content, escaped (a carriage return as a reference, or the parser drops it)."""
    return _escape(value, _TEXT) if _SPECIAL_TEXT(value) else value


def _a(value: str) -> str:
    """An attribute value, escaped (whitespace as references, or the parser normalizes it)."""
    return _escape(value, _ATTR) if _SPECIAL_ATTR(value) else value


def _opt(*pairs: tuple[str, str | None]) -> str:
    """Optional elements: written only when they have a value."""
    out = ""
    for name, text in pairs:
        if text:
            out += f"<{name}>{_t(text)}</{name}>"
    return out


class GenericProfile:
    name = "generic"

    def __init__(self, declarant: str = "customs") -> None:
        self.declarant = declarant

    def render(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
               issued_at: datetime) -> etree._Element:
        """The declaration as a tree: written as text and parsed once (five times quicker
        than building it node by node from Python), then validated and signed as a tree."""
        return self.render_canonical(parcel, header, declaration_id, issued_at)[0]

    def render_canonical(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
                         issued_at: datetime) -> tuple[etree._Element, bytes]:
        """The tree (for the schema) and the text it was parsed from, which is its exclusive
        canonical form (attributes in C14N order, values escaped as C14N does, no whitespace
        between elements, end tags written out): what a signature by its Id digests."""
        text = self.render_text(parcel, header, declaration_id, issued_at)
        try:
            return etree.fromstring(text, _parser()), text
        except etree.XMLSyntaxError as exc:  # a value XML cannot carry (control characters)
            raise ValueError(f"a value cannot be written in XML: {exc.msg}") from None

    def render_text(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
                    issued_at: datetime) -> bytes:
        """The declaration's XML text (UTF-8). Every value is escaped (`_t` in text, `_a` in
        attributes); optional elements are left out when empty."""
        transport = header.transport
        value = parcel.declared_value
        parts = [
            f'<Declaration xmlns="{NS}" Id="D-{_a(declaration_id)}" profile="generic-1">'
            f"<DeclarationId>{_t(declaration_id)}</DeclarationId>"
            "<FunctionCode>9</FunctionCode><TypeCode>IM</TypeCode>"
            f"<IssueDateTime>{issued_at.isoformat()}</IssueDateTime>"
            f"<Declarant><Name>{_t(self.declarant)}</Name></Declarant>"
            f"<CustomsOffice>{_t(header.customs_office)}</CustomsOffice>"
            f"<DestinationCountry>{_t(header.destination_country)}</DestinationCountry>"
            f"<ManifestRef>{_t(header.ref)}</ManifestRef><TransportDocument>",
        ]
        if transport is not None:
            parts.append(f"<ModeCode>{_t(transport.mode)}</ModeCode>")
            parts.append(_opt(("MasterWaybill", transport.master_waybill)))
        parts.append(_opt(("HouseWaybill", parcel.house_waybill)))
        if transport is not None:
            parts.append(_opt(("Carrier", transport.carrier)))
        parts.append(f"</TransportDocument><TrackingNumber>{_t(parcel.tracking_number)}"
                     f"</TrackingNumber><Courier>{_t(parcel.courier)}</Courier>")
        parts.append(self._parties(parcel))
        parts.append(
            f'<GrossMass unitCode="KGM">{decimal_text(parcel.gross_weight)}</GrossMass>'
            f'<InvoiceAmount currencyID="{_a(value.currency)}">{decimal_text(value.amount)}'
            f"</InvoiceAmount>")
        parts.append(_opt(("IossNumber", parcel.ioss_number)))
        parts.extend(self._item(number, item) for number, item in enumerate(parcel.items, 1))
        parts.append("</Declaration>")
        return "".join(parts).encode()

    @staticmethod
    def _parties(parcel: Parcel) -> str:
        seller, r = parcel.seller, parcel.recipient
        pid = r.personal_id
        return (
            f"<Consignor><Name>{_t(seller.name)}</Name>"
            f"<CountryCode>{_t(seller.country)}</CountryCode>"
            f"{_opt(('Address', seller.address))}<URI>{_t(seller.shop_url)}</URI></Consignor>"
            f"<Consignee><Name>{_t(r.name)}</Name><Address><Line>{_t(r.address.line)}</Line>"
            f"<CityName>{_t(r.address.city)}</CityName>"
            f"<Postcode>{_t(r.address.postal_code)}</Postcode>"
            f"<CountryCode>{_t(r.address.country)}</CountryCode></Address>"
            f"{_opt(('Phone', r.phone), ('Email', r.email))}"
            + ("" if pid is None else
               f'<Identification schemeID="{_a(pid.kind)}">{_t(pid.value)}</Identification>')
            + f"{_opt(('TaxId', r.tax_id))}</Consignee>")

    @staticmethod
    def _item(number: int, item: Item) -> str:
        return (
            f"<GoodsItem><SequenceNumeric>{number}</SequenceNumeric>"
            f"<Description>{_t(item.description)}</Description>"
            f"<ClassificationCode>{_t(item.hs_code)}</ClassificationCode>"
            f"<OriginCountryCode>{_t(item.origin_country)}</OriginCountryCode>"
            f'<Quantity unitCode="{_a(item.unit)}">{decimal_text(item.quantity)}</Quantity>'
            f'<NetMass unitCode="KGM">{decimal_text(item.net_weight)}</NetMass>'
            f'<ValueAmount currencyID="{_a(item.value.currency)}">'
            f"{decimal_text(item.value.amount)}</ValueAmount>"
            f"{_opt(('ProductURI', item.product_url), ('Sku', item.sku))}</GoodsItem>")

    def validate(self, element: etree._Element) -> list[str]:
        schema = _schema()
        if schema.validate(element):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log]
