"""Corrections requested by the authority (FTS ExpressCargoReqCorrect) and made by the
marketplace: what a request says, when a parcel awaits one, and what a correction changed.

A parcel awaits a correction while it is HELD and a request for it is open (received and not
yet answered by a correction). A correction is a new version of the parcel (same tracking
number, new data); the earlier versions stay on its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from customs.domain.lifecycle import ParcelStatus
from customs.domain.model import Item, Parcel

MAX_CORRECTIONS = 999  # NumPP is clt_ru:Count3Type: at most 3 digits


@dataclass(frozen=True, slots=True)
class RegistrationNumber:
    """A registry's registration number at the FTS (cat_ru:GTDIDType): the customs office
    that registered it, the day, and the number in its journal. Written as the FTS writes it:
    `10005020/231126/0001234` (office / DDMMYY / number)."""

    office: str
    day: date
    number: str

    def __str__(self) -> str:
        return f"{self.office}/{self.day:%d%m%y}/{self.number}"

    @staticmethod
    def parse(text: str) -> RegistrationNumber:
        office, day, number = text.split("/")
        return RegistrationNumber(office, datetime.strptime(day, "%d%m%y").date(), number)


@dataclass(frozen=True, slots=True)
class ChangeDetail:
    """One change the authority asks for (ReqCorrect Consignment/ChangeDetails), as said."""

    field: str | None  # GRNumber: the box, column or line
    previous: tuple[str, ...] = ()
    correct: tuple[str, ...] = ()
    goods: tuple[str, ...] = ()  # "item n: box: previous -> correct" per ChangeGoods

    def to_json(self) -> dict[str, object]:
        return {"field": self.field, "previous": list(self.previous),
                "correct": list(self.correct), "goods": list(self.goods)}


@dataclass(frozen=True, slots=True)
class CorrectionRequest:
    """What an ExpressCargoReqCorrect says about one waybill (kept with the HELD event)."""

    registration_number: str  # ApplicationRegNumber: the registry to correct
    correct_doc_type: str  # 1 ДТЭГ, 2 ПТДЭГ
    doc_kind: str  # 1 a requirement before release, 2 a decision after release
    limit_at: datetime | None  # LimitDateTime: the deadline
    violations: tuple[str, ...]  # IdentifiedViolations
    reason: str | None
    changes: tuple[ChangeDetail, ...] = ()


def awaits_correction(status: ParcelStatus, open_request: bool) -> bool:
    return status is ParcelStatus.HELD and open_request


@dataclass(frozen=True, slots=True)
class ChangeCodes:
    """The seven letters of the album's ChangeDetailsType, in its order: stage, reason, then
    one indicator each for quantity, TN VED code, customs value, payments and other data
    ("1" changed, "0" not). Stage is the request's DocKind (1 before release, 2 after);
    reason "1": at the customs authority's request, the only way a correction starts here."""

    stage: str
    quantity: bool = False
    tnved: bool = False
    value: bool = False
    payments: bool = False
    other: bool = False
    reason: str = "1"

    def letters(self) -> tuple[str, ...]:
        flags = (self.quantity, self.tnved, self.value, self.payments, self.other)
        return (self.stage, self.reason, *("1" if f else "0" for f in flags))

    def merged(self, other: ChangeCodes) -> ChangeCodes:
        return ChangeCodes(self.stage, self.quantity or other.quantity,
                           self.tnved or other.tnved, self.value or other.value,
                           self.payments or other.payments, self.other or other.other,
                           self.reason)

    @property
    def any(self) -> bool:
        return self.quantity or self.tnved or self.value or self.payments or self.other


def item_changes(stage: str, before: Item | None, after: Item) -> ChangeCodes:
    if before is None:
        return ChangeCodes(stage, quantity=True, tnved=True, value=True, payments=True)
    tnved = before.hs_code != after.hs_code
    value = before.value != after.value
    return ChangeCodes(
        stage, quantity=(before.quantity, before.unit, before.net_weight) != (
            after.quantity, after.unit, after.net_weight),
        tnved=tnved, value=value, payments=tnved or value,
        other=(before.description, before.origin_country, before.product_url, before.sku) != (
            after.description, after.origin_country, after.product_url, after.sku))


def parcel_changes(stage: str, before: Parcel, after: Parcel) -> ChangeCodes:
    """What changed from `before` to `after`: its items' changes, the parcel's weight and
    value, and anything else (seller, recipient, waybills)."""
    codes = ChangeCodes(
        stage, quantity=before.gross_weight != after.gross_weight or
        len(before.items) != len(after.items),
        value=before.declared_value != after.declared_value,
        payments=before.declared_value != after.declared_value,
        other=(before.seller, before.recipient, before.house_waybill, before.courier,
               before.ioss_number) != (after.seller, after.recipient, after.house_waybill,
                                       after.courier, after.ioss_number))
    for n, item in enumerate(after.items):
        codes = codes.merged(item_changes(stage, before.items[n] if n < len(before.items)
                                          else None, item))
    return codes


@dataclass(frozen=True, slots=True)
class CorrectionReference:
    """What a correction's declaration names: the registry it corrects, its ordinal (NumPP)
    and what changed (the parcel's own codes; each item's are derived from its versions)."""

    registration_number: RegistrationNumber
    ordinal: int
    codes: ChangeCodes
    previous: Parcel
