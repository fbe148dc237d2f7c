"""/v1/quotes: the duty and taxes a basket would be charged, before the parcel exists.

Marketplaces (at checkout) and operators. The body is a bounded JSON object (api/body.py);
every value is checked here with the JSON Pointer of the one at fault (400 INVALID_QUOTE),
then customs.domain.duty_quote computes it as intake estimates a parcel.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from api.auth import authenticate_request, roles
from api.body import read_json_object
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.params import AMOUNT, CURRENCY
from customs.domain.duty_quote import MAX_ITEMS, Basket, BasketItem
from customs.domain.money import Money, is_currency
from customs.domain.rules import is_country

quotes = Blueprint("quotes", __name__, url_prefix="/v1")
quotes.before_request(authenticate_request)

MAX_BODY = 64 * 1024
HS_CODE = re.compile(r"^[0-9]{6,10}$")
WEIGHT = re.compile(r"^[0-9]{1,6}(\.[0-9]{1,3})?$")  # kg, as a manifest's (3 decimals)
QUANTITY = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,3})?$")
FIELDS = {"destination", "date", "items", "gross_weight", "shipping"}
ITEM_FIELDS = {"hs_code", "value", "quantity", "weight"}


@quotes.post("/quotes")
@roles("marketplace", "operator")
@idempotent(MAX_BODY)
def create_quote() -> Response:
    customs = current_app.extensions["customs"]
    basket = basket_of(read_json_object(MAX_BODY), customs.quotes.today())
    return jsonify(customs.quotes.quote(basket).to_json())


def basket_of(body: dict[str, Any], today: date) -> Basket:
    _known(body, FIELDS, "")
    destination = body.get("destination")
    if not isinstance(destination, str) or not is_country(destination):
        raise _bad("/destination", "an ISO 3166-1 alpha-2 country code such as RU")
    items = body.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        raise _bad("/items", f"a list of 1 to {MAX_ITEMS} items")
    basket = Basket(destination, _day(body.get("date"), today),
                    tuple(_item(item, f"/items/{n}") for n, item in enumerate(items)),
                    _decimal(body, "gross_weight", WEIGHT, "", "kg, up to 3 decimals"),
                    None if body.get("shipping") is None else _money(body["shipping"],
                                                                     "/shipping"))
    currency = basket.items[0].value.currency
    for n, item in enumerate(basket.items):
        if item.value.currency != currency:
            raise _bad(f"/items/{n}/value/currency", f"every item's value in one currency "
                                                     f"(as a parcel's): {currency}")
    if basket.weight <= 0 or basket.weight < sum((i.weight for i in basket.items), Decimal(0)):
        raise _bad("/gross_weight", "above 0 and at least the items' weights")
    return basket


def _item(item: Any, at: str) -> BasketItem:
    if not isinstance(item, dict):
        raise _bad(at, "an object with hs_code, value, quantity and weight")
    _known(item, ITEM_FIELDS, at)
    hs_code = item.get("hs_code")
    if not isinstance(hs_code, str) or not HS_CODE.match(hs_code):
        raise _bad(f"{at}/hs_code", "6 to 10 digits")
    quantity = _decimal(item, "quantity", QUANTITY, at, "a positive number (string)")
    weight = _decimal(item, "weight", WEIGHT, at, "kg, up to 3 decimals (string)")
    if quantity is None or quantity <= 0:
        raise _bad(f"{at}/quantity", "a positive number (string)")
    if weight is None:
        raise _bad(f"{at}/weight", "the line's net weight in kg (string)")
    return BasketItem(hs_code, _money(item.get("value"), f"{at}/value"), quantity, weight)


def _money(value: Any, at: str) -> Money:
    if (not isinstance(value, dict) or set(value) != {"amount", "currency"}
            or not isinstance(value["amount"], str) or not AMOUNT.match(value["amount"])
            or not isinstance(value["currency"], str) or not CURRENCY.match(value["currency"])
            or not is_currency(value["currency"])):
        raise _bad(at, '{"amount": "12.50", "currency": "EUR"} (amount a decimal string, '
                       "currency ISO 4217)")
    return Money(Decimal(value["amount"]), value["currency"])


def _decimal(body: dict[str, Any], name: str, shape: re.Pattern[str], at: str,
             what: str) -> Decimal | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**6:
        return Decimal(value)
    if not isinstance(value, str) or not shape.match(value):
        raise _bad(f"{at}/{name}", what)
    return Decimal(value)


def _day(value: Any, today: date) -> date:
    if value is None:
        return today
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise _bad("/date", "a date YYYY-MM-DD (default: today, UTC)") from None
    if not 1900 <= day.year <= 9000:
        raise _bad("/date", "a date in the years 1900 to 9000")
    return day


def _known(body: dict[str, Any], allowed: set[str], at: str) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        name = unknown[0][:64].replace("~", "~0").replace("/", "~1")  # RFC 6901
        raise _bad(f"{at}/{name}", f"unknown field; expected {', '.join(sorted(allowed))}")


def _bad(pointer: str, detail: str) -> ApiProblem:
    return ApiProblem(400, "INVALID_QUOTE", f"{pointer}: {detail}", pointer=pointer)
