"""The `ru-fts-express` profile: parcels for Russia as FTS express-cargo registries (format album
5.23.0, `ExpressCargoDeclaration`, DocumentModeID 1006275E), see docs/ru-fts-express.md.

Each parcel's own declaration is a registry holding its one `HouseShipment` (validated against
the official schema) in the routing envelope that carries its signature (ru_fts_routing: the
album has no place for one), signed, stored and served like any declaration. At sealing, the
HouseShipments of one master waybill, registry kind and customs office (the declaration's group
key) are gathered into one registry of at most 500 (customs.adapters.authority.ru_fts_envelope).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from lxml import etree

from customs.adapters.documents.profiles.ru_fts_correction import (
    correction_key,
    mark_correction,
)
from customs.adapters.documents.profiles.ru_fts_routing import (
    DECLARATION_MODE,
    carried,
    envelope,
    envelope_errors,
    process_id,
)
from customs.domain.corrections import CorrectionReference
from customs.domain.model import Item, ManifestHeader, Parcel
from customs.domain.money import Money, decimal_text
from schemas.ru_fts import NS, Album

ECD, CAT, RUS = (f"{{{NS[p]}}}" for p in ("ecd", "cat_ru", "RUScat_ru"))
NSMAP = {"ecd": NS["ecd"], "cat_ru": NS["cat_ru"], "RUScat_ru": NS["RUScat_ru"]}
PERSONAL, GOODS = "ПТДЭГ", "ДТЭГ"
GROUP_KIND = {PERSONAL: "PTDEG", GOODS: "DTEG"}
KIND_OF_GROUP = {v: k for k, v in GROUP_KIND.items()}
EDOC_CODE = "R.043"  # EEC electronic document code carried in EECEDocHeaderAddInfo
AIR_WAYBILL_KIND = "02017"  # classifier of document kinds: air waybill
PASSPORT_RU = "21"  # classifier of identity documents: passport of a citizen of Russia
KG = ("кг", "166")


def _el(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _opt(parent: etree._Element, tag: str, text: str | None, limit: int) -> None:
    if text and text.strip():
        _el(parent, tag, text.strip()[:limit])


def registry_kind(parcel: Parcel) -> str:
    """ПТДЭГ for goods for personal use (a private recipient with a personal id, no company
    tax number of 10 digits), ДТЭГ otherwise."""
    r = parcel.recipient
    company = r.tax_id is not None and len(r.tax_id) == 10
    return PERSONAL if r.personal_id is not None and not company else GOODS


def group_key(parcel: Parcel, header: ManifestHeader) -> str:
    waybill = header.transport.master_waybill if header.transport else None
    if not waybill:
        raise ValueError("the ru-fts-express profile needs the manifest's "
                         "Transport/MasterWaybill: registries are made per master waybill")
    return f"{GROUP_KIND[registry_kind(parcel)]}|{waybill}"[:64]


def amount_text(money: Money) -> str:
    """AmountType: at most 2 fraction digits (values with more cannot be declared as such)."""
    if money.amount != money.amount.quantize(Decimal("0.01")):
        raise ValueError(f"{money} has more than 2 decimals; the FTS album allows 2")
    return decimal_text(money.amount.quantize(Decimal("0.01")))


def registry(registry_id: str, kind: str, office: str, issued_at: datetime,
             broker: str) -> tuple[etree._Element, etree._Element]:
    """An empty registry and its GoodsShipment, ready for HouseShipments."""
    root = etree.Element(ECD + "ExpressCargoDeclaration", {"DocumentModeID": DECLARATION_MODE},
                         nsmap=NSMAP)
    _el(root, CAT + "DocumentID", registry_id)
    info = _el(root, ECD + "EECEDocHeaderAddInfo")
    _el(info, RUS + "EDocCode", EDOC_CODE)
    _el(info, RUS + "EDocDateTime", issued_at.isoformat(timespec="seconds"))
    _el(root, ECD + "DocType", "0")
    _el(root, ECD + "ExpressRegistryKindCode", kind)
    _el(root, ECD + "DeclarationKindCode", "ИМ")
    _el(root, ECD + "ElectronicDocumentSign", "ЭД")
    shipment = _el(root, ECD + "GoodsShipment")
    location = _el(shipment, ECD + "GoodsLocationDetails")
    _el(location, ECD + "CustomsOfficeCode", office)
    _el(root, ECD + "BrokerName", broker[:150])
    return root, shipment


def add_totals(shipment: etree._Element) -> None:
    total = sum((Decimal(q.text or "0") for q in shipment.iterfind(
        f"{ECD}HouseShipment/{ECD}UnifiedGrossWeightQuantity/{CAT}GoodsQuantity")), Decimal(0))
    _quantity(shipment, ECD + "UnifiedGrossWeightQuantity", total)


def _quantity(parent: etree._Element, tag: str, kg: Decimal) -> None:
    element = _el(parent, tag)
    _el(element, CAT + "GoodsQuantity", decimal_text(kg))
    _el(element, CAT + "MeasureUnitQualifierName", KG[0])
    _el(element, CAT + "MeasureUnitQualifierCode", KG[1])


def _value(parent: etree._Element, tag: str, money: Money) -> None:
    element = _el(parent, tag)
    _el(element, ECD + "CurrencyQuantity", amount_text(money))
    _el(element, ECD + "CurrencyCode", money.currency)


def house_shipment(parcel: Parcel, header: ManifestHeader, waybill_id: str,
                   ordinal: int) -> etree._Element:
    """One parcel as a HouseShipment; WayBillID is our declaration id (replies name it)."""
    house = etree.Element(ECD + "HouseShipment", nsmap=NSMAP)
    _el(house, ECD + "WayBillID", waybill_id)
    _el(house, ECD + "ObjectOrdinal", str(ordinal))
    master = _el(house, ECD + "TransportDocumentDetails")
    _el(master, CAT + "PrDocumentName", "Авианакладная")
    _el(master, CAT + "PrDocumentNumber", group_key(parcel, header).split("|", 1)[1][:50])
    _el(master, ECD + "DocKindCode", AIR_WAYBILL_KIND)
    own = _el(house, ECD + "HouseWaybillDetails")
    _el(own, CAT + "PrDocumentName", "Индивидуальная накладная")
    _el(own, CAT + "PrDocumentNumber", parcel.tracking_number[:50])
    _consignor(house, parcel)
    _consignee(house, parcel)
    for number, item in enumerate(parcel.items, start=1):
        _goods(house, item, number, len(parcel.items))
    _quantity(house, ECD + "UnifiedGrossWeightQuantity", parcel.gross_weight)
    _el(house, ECD + "TradeCountry", parcel.seller.country)
    _opt(house, ECD + "URLShop", parcel.seller.shop_url, 500)
    _value(house, ECD + "CAValueAmount", parcel.declared_value)
    return house


def _consignor(house: etree._Element, parcel: Parcel) -> None:
    seller = _el(house, ECD + "ConsignorDetails")
    _el(seller, CAT + "OrganizationName", parcel.seller.name.strip()[:150])
    _el(seller, RUS + "CountryA2Code", parcel.seller.country)
    if parcel.seller.address:
        address = _el(seller, RUS + "SubjectAddressDetails")
        _el(address, RUS + "CountryCode", parcel.seller.country)
        _el(address, RUS + "AddressText", parcel.seller.address.strip()[:1000])


def _consignee(house: etree._Element, parcel: Parcel) -> None:
    r = parcel.recipient
    buyer = _el(house, ECD + "ConsigneeDetails")
    _el(buyer, CAT + "OrganizationName", r.name.strip()[:150])
    if r.tax_id and r.tax_id.isdigit() and len(r.tax_id) in (10, 12):
        _el(_el(buyer, CAT + "RFOrganizationFeatures"), CAT + "INN", r.tax_id)
    _el(buyer, RUS + "CountryA2Code", r.address.country)
    if r.personal_id is not None:
        card = _el(buyer, RUS + "IdentityCard")
        series, _, number = r.personal_id.value.strip().rpartition(" ")
        if r.personal_id.kind == "passport" and r.address.country == "RU":
            _el(card, RUS + "IdentityCardCode", PASSPORT_RU)
        _el(card, RUS + "IdentityCardName", r.personal_id.kind[:40])
        if series.strip():
            _el(card, RUS + "IdentityCardSeries", series.replace(" ", "")[:11])
        _el(card, RUS + "IdentityCardNumber", number[:25])
    address = _el(buyer, RUS + "SubjectAddressDetails")
    _el(address, RUS + "PostalCode", r.address.postal_code[:9])
    _el(address, RUS + "CountryCode", r.address.country)
    _el(address, RUS + "City", r.address.city.strip()[:120])
    _el(address, RUS + "StreetHouse", r.address.line.strip()[:120])
    if r.phone or r.email:
        contact = _el(buyer, RUS + "CommunicationDetails")
        _opt(contact, CAT + "Phone", r.phone, 24)
        _opt(contact, CAT + "E_mail", r.email, 50)
    _el(buyer, ECD + "PersonSign", "true" if registry_kind(parcel) == PERSONAL else "false")


def _goods(house: etree._Element, item: Item, number: int, total: int) -> None:
    if len(item.hs_code) != 10 or not item.hs_code.isdigit():
        raise ValueError(f"item {number}: TN VED code {item.hs_code!r} must have 10 digits")
    goods = _el(house, ECD + "GoodsItemDetails")
    _el(goods, ECD + "GoodsNumeric", str(number))
    _el(goods, ECD + "TotalGoodsNumeric", str(total))
    _opt(goods, ECD + "URLGood", item.product_url, 500)
    _el(goods, ECD + "GoodsTNVEDCode", item.hs_code)
    text = " ".join(item.description.split())
    for start in range(0, min(len(text), 1000), 250):
        _el(goods, ECD + "GoodsDescription", text[start:start + 250])
    _quantity(goods, ECD + "NetWeightQuantity", item.net_weight)
    _value(goods, ECD + "CAValueAmount", item.value)


class RuFtsExpressProfile:
    """The Profile port (customs.adapters.documents.declarer) for one parcel's registry, in
    its envelope (EnvelopeID: the declaration id; receiver: the manifest's customs office)."""

    name = "ru-fts-express"

    def __init__(self, album: Album, broker: str = "customs",
                 sender: str = "CUSTOMS-BROKER") -> None:
        self.album = album
        self.broker = broker
        self.sender = sender

    def render(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
               issued_at: datetime) -> etree._Element:
        root, shipment = registry(declaration_id, registry_kind(parcel), header.customs_office,
                                  issued_at, self.broker)
        location = shipment.find(ECD + "GoodsLocationDetails")
        assert location is not None
        location.addnext(house_shipment(parcel, header, declaration_id, 1))
        add_totals(shipment)
        return envelope(declaration_id, self.sender, header.customs_office, issued_at,
                        process_id(declaration_id), DECLARATION_MODE, root)

    def group_key(self, parcel: Parcel, header: ManifestHeader) -> str:
        return group_key(parcel, header)

    def render_correction(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
                          issued_at: datetime, ref: CorrectionReference,
                          ) -> tuple[etree._Element, str]:
        """The correction of a parcel's registry (DocType 1, see ru_fts_correction) in its
        envelope, and its group key: one correction registry per corrected registry."""
        wrapped = self.render(parcel, header, declaration_id, issued_at)
        mark_correction(carried(wrapped), ref, parcel)
        return wrapped, correction_key(ref, GROUP_KIND[registry_kind(parcel)])

    def validate(self, element: etree._Element) -> list[str]:
        """The envelope, then the registry it carries: libxml2 only for the one-parcel registry
        (speed at intake); the registry that is sent is checked by both validators before it
        is signed."""
        return envelope_errors(element) or self.album.validate(carried(element), thorough=False)
