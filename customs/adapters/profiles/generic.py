"""The `generic` profile: our WCO-aligned per-parcel declaration (generic:1 namespace)."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from lxml import etree

from customs.domain.model import Item, ManifestHeader, Parcel
from customs.domain.money import decimal_text
from schemas import compiled, declaration_xsd_path

NS = "urn:customs:declaration:generic:1"
_Q = f"{{{NS}}}"


@cache
def _schema() -> etree.XMLSchema:
    return compiled(declaration_xsd_path("generic"))


def _sub(parent: etree._Element, name: str, text: str | None = None,
         **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _Q + name, attrs) if attrs else etree.SubElement(
        parent, _Q + name)
    if text is not None:
        element.text = text
    return element


def _opt(parent: etree._Element, name: str, text: str | None) -> None:
    if text:
        _sub(parent, name, text)


class GenericProfile:
    name = "generic"

    def __init__(self, declarant: str = "customs") -> None:
        self.declarant = declarant

    def render(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
               issued_at: datetime) -> etree._Element:
        root = etree.Element(_Q + "Declaration", {"Id": f"D-{declaration_id}",
                                                  "profile": "generic-1"}, nsmap={None: NS})
        _sub(root, "DeclarationId", declaration_id)
        _sub(root, "FunctionCode", "9")
        _sub(root, "TypeCode", "IM")
        _sub(root, "IssueDateTime", issued_at.isoformat())
        _sub(_sub(root, "Declarant"), "Name", self.declarant)
        _sub(root, "CustomsOffice", header.customs_office)
        _sub(root, "DestinationCountry", header.destination_country)
        _sub(root, "ManifestRef", header.ref)
        self._transport(root, parcel, header)
        _sub(root, "TrackingNumber", parcel.tracking_number)
        _sub(root, "Courier", parcel.courier)
        self._parties(root, parcel)
        _sub(root, "GrossMass", decimal_text(parcel.gross_weight), unitCode="KGM")
        _sub(root, "InvoiceAmount", decimal_text(parcel.declared_value.amount),
             currencyID=parcel.declared_value.currency)
        _opt(root, "IossNumber", parcel.ioss_number)
        for number, item in enumerate(parcel.items, start=1):
            self._item(root, number, item)
        return root

    @staticmethod
    def _transport(root: etree._Element, parcel: Parcel, header: ManifestHeader) -> None:
        doc = _sub(root, "TransportDocument")
        transport = header.transport
        if transport is not None:
            _sub(doc, "ModeCode", transport.mode)
            _opt(doc, "MasterWaybill", transport.master_waybill)
        _opt(doc, "HouseWaybill", parcel.house_waybill)
        if transport is not None:
            _opt(doc, "Carrier", transport.carrier)

    @staticmethod
    def _parties(root: etree._Element, parcel: Parcel) -> None:
        seller = _sub(root, "Consignor")
        _sub(seller, "Name", parcel.seller.name)
        _sub(seller, "CountryCode", parcel.seller.country)
        _opt(seller, "Address", parcel.seller.address)
        _sub(seller, "URI", parcel.seller.shop_url)
        r = parcel.recipient
        buyer = _sub(root, "Consignee")
        _sub(buyer, "Name", r.name)
        address = _sub(buyer, "Address")
        _sub(address, "Line", r.address.line)
        _sub(address, "CityName", r.address.city)
        _sub(address, "Postcode", r.address.postal_code)
        _sub(address, "CountryCode", r.address.country)
        _opt(buyer, "Phone", r.phone)
        _opt(buyer, "Email", r.email)
        if r.personal_id is not None:
            _sub(buyer, "Identification", r.personal_id.value, schemeID=r.personal_id.kind)
        _opt(buyer, "TaxId", r.tax_id)

    @staticmethod
    def _item(root: etree._Element, number: int, item: Item) -> None:
        goods = _sub(root, "GoodsItem")
        _sub(goods, "SequenceNumeric", str(number))
        _sub(goods, "Description", item.description)
        _sub(goods, "ClassificationCode", item.hs_code)
        _sub(goods, "OriginCountryCode", item.origin_country)
        _sub(goods, "Quantity", decimal_text(item.quantity), unitCode=item.unit)
        _sub(goods, "NetMass", decimal_text(item.net_weight), unitCode="KGM")
        _sub(goods, "ValueAmount", decimal_text(item.value.amount),
             currencyID=item.value.currency)
        _opt(goods, "ProductURI", item.product_url)
        _opt(goods, "Sku", item.sku)

    def validate(self, element: etree._Element) -> list[str]:
        schema = _schema()
        if schema.validate(element):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log]
