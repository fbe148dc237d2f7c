"""The canonical model of a manifest and its parcels, whatever format they arrived in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from customs.domain.money import Money, decimal_text


@dataclass(frozen=True, slots=True)
class Address:
    line: str
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True, slots=True)
class Seller:
    name: str
    country: str
    shop_url: str
    address: str | None = None


@dataclass(frozen=True, slots=True)
class PersonalId:
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    address: Address
    phone: str | None = None
    email: str | None = None
    personal_id: PersonalId | None = None
    tax_id: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    description: str
    hs_code: str
    origin_country: str
    quantity: Decimal
    unit: str
    net_weight: Decimal
    value: Money
    product_url: str | None = None
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class Parcel:
    tracking_number: str
    courier: str
    seller: Seller
    recipient: Recipient
    gross_weight: Decimal
    declared_value: Money
    items: tuple[Item, ...]
    house_waybill: str | None = None
    ioss_number: str | None = None
    order_ref: str | None = None  # the platform's order number (CEB621 orderNo)

    def to_document(self) -> dict[str, Any]:
        """A JSON-ready dict (Decimals as strings) for storage and the API."""
        return {
            "tracking_number": self.tracking_number,
            "courier": self.courier,
            "house_waybill": self.house_waybill,
            "seller": _seller_doc(self.seller),
            "recipient": _recipient_doc(self.recipient),
            "gross_weight": decimal_text(self.gross_weight),
            "declared_value": _money_doc(self.declared_value),
            "ioss_number": self.ioss_number,
            "items": [_item_doc(item) for item in self.items],
            "order_ref": self.order_ref,
        }


@dataclass(frozen=True, slots=True)
class Transport:
    mode: str
    master_waybill: str | None = None
    carrier: str | None = None
    expected_arrival: date | None = None


@dataclass(frozen=True, slots=True)
class ManifestHeader:
    """Everything in a manifest but its parcels."""

    ref: str
    issued_at: datetime
    destination_country: str
    customs_office: str
    transport: Transport | None = None
    # the leg a declaration is made for (customs.domain.legs): "export" at the parcel's origin;
    # None: the import at this destination
    leg: str | None = None


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason a parcel (or a manifest) is refused, in terms a seller can act on."""

    code: str
    message: str
    path: str | None = None
    line: int | None = None
    value: str | None = None

    def __post_init__(self) -> None:
        """Long messages (names and values from the document) are cut when made: what is held
        for every rejected parcel, replied and stored stays small whatever the document holds."""
        if len(self.message) > MESSAGE_CHARS:
            object.__setattr__(self, "message", shorten(self.message, MESSAGE_CHARS))
        if self.value is not None and len(self.value) > VALUE_CHARS:
            object.__setattr__(self, "value", shorten(self.value, VALUE_CHARS))

    def to_document(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "value": self.value,
        }


MESSAGE_CHARS = 500
VALUE_CHARS = 256
VIOLATIONS_PER_PARCEL = 100


def shorten(text: str, largest: int) -> str:
    return text if len(text) <= largest else text[: largest - 1] + "…"


@dataclass(slots=True)
class ParcelOutcome:
    """A parcel as read from a manifest: either a canonical parcel, or the reasons it is not."""

    position: int
    tracking_number: str | None
    line: int | None
    parcel: Parcel | None = None
    violations: list[Violation] = field(default_factory=list)
    violations_omitted: int = 0

    @property
    def accepted(self) -> bool:
        return self.parcel is not None and not self.violations

    def cap_violations(self, largest: int = VIOLATIONS_PER_PARCEL) -> None:
        """Keep the first `largest` violations (they are what to fix first); count the rest."""
        if len(self.violations) > largest:
            self.violations_omitted += len(self.violations) - largest
            del self.violations[largest:]


def _money_doc(money: Money) -> dict[str, str]:
    return {"amount": decimal_text(money.amount), "currency": money.currency}


def _seller_doc(seller: Seller) -> dict[str, Any]:
    return {
        "name": seller.name,
        "country": seller.country,
        "address": seller.address,
        "shop_url": seller.shop_url,
    }


def _recipient_doc(recipient: Recipient) -> dict[str, Any]:
    pid = recipient.personal_id
    return {
        "name": recipient.name,
        "address": {
            "line": recipient.address.line,
            "city": recipient.address.city,
            "postal_code": recipient.address.postal_code,
            "country": recipient.address.country,
        },
        "phone": recipient.phone,
        "email": recipient.email,
        "personal_id": None if pid is None else {"type": pid.kind, "value": pid.value},
        "tax_id": recipient.tax_id,
    }


def _item_doc(item: Item) -> dict[str, Any]:
    return {
        "description": item.description,
        "hs_code": item.hs_code,
        "origin_country": item.origin_country,
        "quantity": decimal_text(item.quantity),
        "unit": item.unit,
        "net_weight": decimal_text(item.net_weight),
        "value": _money_doc(item.value),
        "product_url": item.product_url,
        "sku": item.sku,
    }


def parcel_from_document(doc: dict[str, Any]) -> Parcel:
    """The inverse of Parcel.to_document (for parcels read back from storage)."""
    from decimal import Decimal

    def money(m: dict[str, str]) -> Money:
        return Money(Decimal(m["amount"]), m["currency"])

    r = doc["recipient"]
    pid = r.get("personal_id")
    return Parcel(
        tracking_number=doc["tracking_number"],
        courier=doc["courier"],
        house_waybill=doc.get("house_waybill"),
        seller=Seller(doc["seller"]["name"], doc["seller"]["country"], doc["seller"]["shop_url"],
                      doc["seller"].get("address")),
        recipient=Recipient(
            name=r["name"], address=Address(**r["address"]), phone=r.get("phone"),
            email=r.get("email"),
            personal_id=None if pid is None else PersonalId(pid["type"], pid["value"]),
            tax_id=r.get("tax_id")),
        gross_weight=Decimal(doc["gross_weight"]),
        declared_value=money(doc["declared_value"]),
        ioss_number=doc.get("ioss_number"),
        order_ref=doc.get("order_ref"),
        items=tuple(Item(
            description=i["description"], hs_code=i["hs_code"],
            origin_country=i["origin_country"], quantity=Decimal(i["quantity"]), unit=i["unit"],
            net_weight=Decimal(i["net_weight"]), value=money(i["value"]),
            product_url=i.get("product_url"), sku=i.get("sku")) for i in doc["items"]),
    )
