"""/v1/quotes: the duty and taxes a basket would be charged, before the parcel exists.

Marketplaces (at checkout) and operators. The body is a bounded JSON object (api/body.py),
validated with the Basket model (api/spec/models_quotes.py: the model IS the shape; 400
INVALID_QUOTE with the JSON Pointer of the value at fault); the rules that span values
(country and currency codes, one currency, weights) are checked here, then
customs.domain.duty_quote computes it as intake estimates a parcel.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Blueprint, Response, current_app, jsonify

from api.auth import authenticate_request, roles
from api.body import read_json_object
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.spec import models_quotes as m
from api.spec.models_common import MoneyIn
from api.spec.registry import Reply, operation
from api.spec.validate import validated
from customs.domain.duty_quote import Basket, BasketItem
from customs.domain.money import Money, is_currency
from customs.domain.rules import is_country

quotes = Blueprint("quotes", __name__, url_prefix="/v1")
quotes.before_request(authenticate_request)

MAX_BODY = 64 * 1024


@quotes.post("/quotes")
@operation("createQuote", "quotes", "The duty a basket would be charged, with every step; "
           "equal to the estimate of the parcel declared later with the same goods "
           "(docs/duty.md)", Reply("The quote", m.Quote), body=m.Basket,
           errors=((400, "INVALID_QUOTE (`pointer`: the JSON Pointer of the value at fault), "
                         "or a body that is not a bounded JSON object"), 401,
                   (403, "Not a marketplace or operator key (FORBIDDEN_ROLE)"),
                   (413, "Body over 64 KiB (BODY_TOO_LARGE)"), 415))
@roles("marketplace", "operator")
@idempotent(MAX_BODY)
def create_quote() -> Response:
    customs = current_app.extensions["customs"]
    basket = basket_of(validated(m.Basket, read_json_object(MAX_BODY), _bad),
                       customs.quotes.today())
    return jsonify(customs.quotes.quote(basket).to_json())


def basket_of(body: m.Basket, today: date) -> Basket:
    """The domain's basket from a validated body, after the rules that span its values."""
    if not is_country(body.destination):
        raise _bad("/destination", "an ISO 3166-1 alpha-2 country code such as RU")
    items = tuple(_item(item, f"/items/{n}") for n, item in enumerate(body.items))
    gross = None if body.gross_weight is None else Decimal(body.gross_weight)
    shipping = None if body.shipping is None else _money(body.shipping, "/shipping")
    basket = Basket(body.destination, _day(body.date, today), items, gross, shipping)
    currency = basket.items[0].value.currency
    for n, item in enumerate(basket.items):
        if item.value.currency != currency:
            raise _bad(f"/items/{n}/value/currency", f"every item's value in one currency "
                                                     f"(as a parcel's): {currency}")
    if basket.weight <= 0 or basket.weight < sum((i.weight for i in basket.items), Decimal(0)):
        raise _bad("/gross_weight", "above 0 and at least the items' weights")
    return basket


def _item(item: m.BasketItem, at: str) -> BasketItem:
    quantity = Decimal(item.quantity)
    if quantity <= 0:
        raise _bad(f"{at}/quantity", "a positive number (string)")
    return BasketItem(item.hs_code, _money(item.value, f"{at}/value"), quantity,
                      Decimal(item.weight))


def _money(value: MoneyIn, at: str) -> Money:
    if not is_currency(value.currency):
        raise _bad(f"{at}/currency", "an ISO 4217 currency code")
    return Money(Decimal(value.amount), value.currency)


def _day(value: str | None, today: date) -> date:
    if value is None:
        return today
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _bad("/date", "a date YYYY-MM-DD (default: today, UTC)") from None
    if not 1900 <= day.year <= 9000:
        raise _bad("/date", "a date in the years 1900 to 9000")
    return day


def _bad(pointer: str, detail: str) -> ApiProblem:
    return ApiProblem(400, "INVALID_QUOTE", f"{pointer or '/'}: {detail}", pointer=pointer)
