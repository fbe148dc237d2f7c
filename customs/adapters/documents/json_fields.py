"""Schema-valid JSON manifest values → the same canonical domain objects as the XML form gives
(no validation happens here): texts stripped as the XML reader strips them, numbers as the
exact decimals they were written as."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from customs.adapters.documents.manifest_fields import xsd_date, xsd_datetime
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


def header_from_json(doc: dict[str, Any]) -> ManifestHeader:
    destination = doc["destination"]
    transport = doc.get("transport")
    return ManifestHeader(
        ref=doc["manifest_ref"].strip(),
        issued_at=xsd_datetime(doc["issued_at"].strip()),
        destination_country=destination["country"].strip(),
        customs_office=destination["customs_office"].strip(),
        transport=None if transport is None else Transport(
            mode=transport["mode"].strip(),
            master_waybill=_optional(transport, "master_waybill"),
            carrier=_optional(transport, "carrier"),
            expected_arrival=(xsd_date(transport["expected_arrival"].strip())
                              if "expected_arrival" in transport else None)))


def _optional(doc: dict[str, Any], key: str) -> str | None:
    value = doc.get(key)
    return None if value is None else value.strip()


def _money(doc: dict[str, Any]) -> Money:
    return Money(Decimal(doc["amount"]), doc["currency"])


def parcel_from_json(doc: dict[str, Any]) -> Parcel:
    seller, recipient = doc["seller"], doc["recipient"]
    address = recipient["address"]
    pid = recipient.get("personal_id")
    return Parcel(
        doc["tracking_number"].strip(), doc["courier"].strip(),
        Seller(seller["name"].strip(), seller["country"].strip(), seller["shop_url"].strip(),
               _optional(seller, "address")),
        Recipient(recipient["name"].strip(),
                  Address(address["line"].strip(), address["city"].strip(),
                          address["postal_code"].strip(), address["country"].strip()),
                  _optional(recipient, "phone"), _optional(recipient, "email"),
                  None if pid is None else PersonalId(pid["type"], pid["value"]),
                  _optional(recipient, "tax_id")),
        Decimal(doc["gross_weight"]), _money(doc["declared_value"]),
        tuple(map(_item, doc["items"])), _optional(doc, "house_waybill"),
        _optional(doc, "ioss_number"), _optional(doc, "order_ref"))


def _item(doc: dict[str, Any]) -> Item:
    quantity = doc["quantity"]
    return Item(doc["description"].strip(), doc["hs_code"].strip(),
                doc["origin_country"].strip(), Decimal(quantity["value"]), quantity["unit"],
                Decimal(doc["net_weight"]), _money(doc["value"]), _optional(doc, "product_url"),
                _optional(doc, "sku"))
