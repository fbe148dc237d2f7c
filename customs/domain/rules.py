"""Business rules applied to a parcel after the schema: each with a stable error code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

import pycountry

from customs.domain.model import ManifestHeader, Parcel, Violation
from customs.domain.money import Money, is_currency
from customs.domain.regimes import DestinationRules, Requirements
from customs.domain.tracking import looks_like_s10, s10_is_valid

VALUE_TOLERANCE = Decimal("0.01")

# Converts money to a currency on a day; returns None when no rate is known.
Converter = Callable[[Money, str, date], Money | None]


@dataclass(frozen=True, slots=True)
class RuleContext:
    today: date
    rules: DestinationRules
    nomenclature: frozenset[str] | None = None  # 6-digit codes; None when none is loaded
    convert: Converter | None = None


@cache
def is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


def check_parcel(
    parcel: Parcel, header: ManifestHeader, ctx: RuleContext, base: str
) -> list[Violation]:
    """Every business-rule violation of one parcel; `base` is the parcel's element path."""
    req = Requirements.fold(ctx.rules.in_force(header.destination_country, ctx.today))
    found: list[Violation] = []
    found += _tracking(parcel, base)
    found += _countries(parcel, header, base)
    found += _currencies(parcel, base)
    found += _items(parcel, req, ctx, base)
    found += _totals(parcel, base)
    found += _destination(parcel, header, req, ctx, base)
    return found


def _tracking(parcel: Parcel, base: str) -> list[Violation]:
    number = parcel.tracking_number
    if looks_like_s10(number) and not s10_is_valid(number):
        return [Violation("TRACKING_S10_CHECK_DIGIT",
                          f"S10 tracking number {number} has a wrong check digit",
                          f"{base}/TrackingNumber", value=number)]
    return []


def _countries(parcel: Parcel, header: ManifestHeader, base: str) -> list[Violation]:
    fields = [(f"{base}/Seller/Country", parcel.seller.country),
              (f"{base}/Recipient/Address/Country", parcel.recipient.address.country)]
    fields += [(f"{base}/Item[{i}]/OriginCountry", item.origin_country)
               for i, item in enumerate(parcel.items, 1)]
    found = [Violation("COUNTRY_UNKNOWN", f"{code} is not an ISO 3166-1 country code", path,
                       value=code) for path, code in fields if not is_country(code)]
    recipient_country = parcel.recipient.address.country
    if recipient_country != header.destination_country:
        found.append(Violation(
            "RECIPIENT_COUNTRY_MISMATCH",
            f"recipient is in {recipient_country}, the manifest goes to "
            f"{header.destination_country}",
            f"{base}/Recipient/Address/Country", value=recipient_country))
    return found


def _currencies(parcel: Parcel, base: str) -> list[Violation]:
    declared = parcel.declared_value.currency
    found = []
    if not is_currency(declared):
        found.append(Violation("CURRENCY_UNKNOWN", f"{declared} is not an ISO 4217 currency",
                               f"{base}/DeclaredValue/@currency", value=declared))
    for i, item in enumerate(parcel.items, 1):
        code = item.value.currency
        path = f"{base}/Item[{i}]/Value/@currency"
        if not is_currency(code):
            found.append(Violation("CURRENCY_UNKNOWN", f"{code} is not an ISO 4217 currency",
                                   path, value=code))
        elif code != declared:
            found.append(Violation("CURRENCY_MISMATCH",
                                   f"item value in {code}, declared value in {declared}",
                                   path, value=code))
    return found


def _items(parcel: Parcel, req: Requirements, ctx: RuleContext, base: str) -> list[Violation]:
    found = []
    for i, item in enumerate(parcel.items, 1):
        path = f"{base}/Item[{i}]"
        if len(item.hs_code) < req.min_hs_digits:
            found.append(Violation(
                "HS_CODE_LENGTH",
                f"HS code {item.hs_code} has {len(item.hs_code)} digits; the destination's "
                f"tariff needs {req.min_hs_digits}", f"{path}/HSCode", value=item.hs_code))
        elif ctx.nomenclature is not None and item.hs_code[:6] not in ctx.nomenclature:
            found.append(Violation(
                "HS_CODE_UNKNOWN", f"HS subheading {item.hs_code[:6]} is not in the nomenclature",
                f"{path}/HSCode", value=item.hs_code))
        if req.product_url and not item.product_url:
            found.append(Violation("PRODUCT_URL_REQUIRED",
                                   "the destination requires a ProductUrl for every item",
                                   f"{path}/ProductUrl"))
    return found


def _totals(parcel: Parcel, base: str) -> list[Violation]:
    found = []
    declared = parcel.declared_value
    if all(item.value.currency == declared.currency for item in parcel.items):
        total = sum((item.value.amount for item in parcel.items), Decimal(0))
        if abs(total - declared.amount) > VALUE_TOLERANCE:
            found.append(Violation(
                "VALUE_MISMATCH",
                f"items add up to {total} {declared.currency}, declared {declared.amount}",
                f"{base}/DeclaredValue", value=str(declared.amount)))
    net = sum((item.net_weight for item in parcel.items), Decimal(0))
    if net > parcel.gross_weight:
        found.append(Violation(
            "NET_WEIGHT_EXCEEDS_GROSS",
            f"items' net weight {net} kg exceeds the gross weight {parcel.gross_weight} kg",
            f"{base}/GrossWeight", value=str(parcel.gross_weight)))
    return found


def _destination(
    parcel: Parcel, header: ManifestHeader, req: Requirements, ctx: RuleContext, base: str
) -> list[Violation]:
    found = []
    if req.personal_id and parcel.recipient.personal_id is None:
        found.append(Violation(
            "PERSONAL_ID_REQUIRED",
            f"parcels to {header.destination_country} need the recipient's PersonalId",
            f"{base}/Recipient/PersonalId"))
    if req.ioss_up_to is not None and parcel.ioss_number is None:
        value = _in_currency(parcel.declared_value, req.ioss_currency, ctx)
        if value is not None and value.amount <= req.ioss_up_to:
            found.append(Violation(
                "IOSS_REQUIRED",
                f"parcels to the EU worth up to {req.ioss_up_to} {req.ioss_currency} need the "
                "seller's IossNumber", f"{base}/IossNumber"))
    return found


def _in_currency(money: Money, currency: str, ctx: RuleContext) -> Money | None:
    if money.currency == currency:
        return money
    if ctx.convert is None:
        return None
    return ctx.convert(money, currency, ctx.today)
