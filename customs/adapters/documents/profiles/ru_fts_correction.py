"""Corrections in the ru-fts-express profile (КДТЭГ / КПТДЭГ): an ExpressCargoDeclaration with
DocType 1, NumPP (the correction's ordinal for the registry it corrects), the corrected
registry's number in ExpressCargoDeclarationIdDetails, and ChangeDetails codes on the
registry's GoodsShipment, each HouseShipment and each GoodsItemDetails (album 5.23.0).

The letters follow customs.domain.corrections.ChangeCodes. A registry sealed from corrected
parcels carries their references (the same for the whole group: its key holds them) and the
union of their houses' codes."""

from __future__ import annotations

import copy

from lxml import etree

from customs.domain.corrections import CorrectionReference, item_changes
from customs.domain.model import Parcel
from schemas.ru_fts import NS

ECD, CAT = (f"{{{NS[p]}}}" for p in ("ecd", "cat_ru"))
CODES = ("StageChangeCode", "ReasonChangeCode", "QuantityChangeCode", "TNVEDChangeCode",
         "CustomsCostChangeCode", "CustomsPaymentChangeCode", "OtherChangeCode")
CORRECTION = "1"  # DocType of a correction


def _el(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


def change_details(parent: etree._Element, letters: tuple[str, ...]) -> None:
    details = _el(parent, ECD + "ChangeDetails")
    for name, letter in zip(CODES, letters, strict=True):
        _el(details, ECD + name, letter)


def _references(registry: etree._Element, ordinal: str, number: etree._Element | None) -> None:
    """DocType 1, then NumPP and ExpressCargoDeclarationIdDetails where the album puts them."""
    doc_type = registry.find(ECD + "DocType")
    assert doc_type is not None
    doc_type.text = CORRECTION
    num_pp = etree.Element(ECD + "NumPP")
    num_pp.text = ordinal
    doc_type.addnext(num_pp)
    if number is not None:
        num_pp.addnext(number)


def mark_correction(registry: etree._Element, ref: CorrectionReference, parcel: Parcel) -> None:
    """Make the one-house registry of `parcel` (the new version) its correction."""
    number = etree.Element(ECD + "ExpressCargoDeclarationIdDetails")
    registered = ref.registration_number
    _el(number, CAT + "CustomsCode", registered.office)
    _el(number, CAT + "RegistrationDate", registered.day.isoformat())
    _el(number, CAT + "GTDNumber", registered.number)
    _references(registry, str(ref.ordinal), number)
    shipment = registry.find(ECD + "GoodsShipment")
    assert shipment is not None
    house = shipment.find(ECD + "HouseShipment")
    assert house is not None
    before = ref.previous.items
    for n, goods in enumerate(house.iterfind(ECD + "GoodsItemDetails")):
        change_details(goods, item_changes(ref.codes.stage, before[n] if n < len(before)
                                           else None, parcel.items[n]).letters())
    change_details(house, ref.codes.letters())
    change_details(shipment, ref.codes.letters())


def is_correction(registry: etree._Element) -> bool:
    return registry.findtext(ECD + "DocType") == CORRECTION


def carry_correction(target: etree._Element, source: etree._Element) -> None:
    """Give a registry being sealed the correction references of one of its parcels'
    registries, and on its GoodsShipment the union of its houses' codes."""
    number = source.find(ECD + "ExpressCargoDeclarationIdDetails")
    _references(target, source.findtext(ECD + "NumPP") or "1",
                None if number is None else copy.deepcopy(number))
    shipment = target.find(ECD + "GoodsShipment")
    assert shipment is not None
    houses = [[c.text or "0" for c in details] for details in
              shipment.iterfind(f"{ECD}HouseShipment/{ECD}ChangeDetails")]
    if houses:
        merged = [houses[0][0], houses[0][1]] + [max(h[n] for h in houses)
                                                 for n in range(2, len(CODES))]
        change_details(shipment, tuple(merged))


def correction_key(ref: CorrectionReference, kind: str) -> str:
    """One correction registry per corrected registry and ordinal."""
    return f"CORR|{kind}|{ref.registration_number}|{ref.ordinal}"[:64]
