"""POST /v1/quotes: the basket (a request model: the view validates with it, then checks the
rules that span fields) and the quote with every step of its computation."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from api.spec.models_common import Amount, Money, MoneyIn, Strict, example

Decimal3 = Annotated[str, Field(pattern=r"^[0-9]{1,6}(\.[0-9]{1,3})?$")]
Quantity = Annotated[str, Field(pattern=r"^[0-9]{1,9}(\.[0-9]{1,3})?$")]
Whole = Annotated[int, Field(ge=0, lt=10**6)]
MAX_ITEMS = 99  # customs.domain.duty_quote.MAX_ITEMS (a test holds them equal)
ESTIMATES = ("ESTIMATED", "RATES_MISSING", "NO_RULE", "NOT_ESTIMABLE")


class BasketItem(Strict):
    hs_code: str = Field(pattern="^[0-9]{6,10}$")
    value: MoneyIn = Field(description="the line's value (all in one currency)")
    quantity: Quantity | Whole = Field(description="greater than 0")
    weight: Decimal3 | Whole = Field(description="the line's net weight, kg, up to 3 "
                                                 "decimals")


class Basket(Strict):
    model_config = example(destination="RU", items=[{
        "hs_code": "8518300000", "value": {"amount": "250.00", "currency": "EUR"},
        "quantity": "1", "weight": "0.300"}], gross_weight="0.500",
        shipping={"amount": "7.00", "currency": "EUR"})

    destination: str = Field(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    date: str | None = Field(None, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                             json_schema_extra={"format": "date"},
                             description="the day whose rules and rates apply (default: "
                                         "today, UTC)")
    items: list[BasketItem] = Field(min_length=1, max_length=MAX_ITEMS)
    gross_weight: Decimal3 | Whole | None = Field(None, description="kg (default: the items' "
                                                                    "weights)")
    shipping: MoneyIn | None = Field(None, description="shown; not part of the dutiable value")


class DutyEstimate(BaseModel):
    """Estimated duty at intake (docs/duty.md); amount only when ESTIMATED."""

    status: Literal[(*ESTIMATES, "NONE")]  # type: ignore[valid-type]
    reason: str
    rule: str | None = None
    period: str | None = None
    amount: Amount | None = None
    currency: str | None = None
    basis: dict[str, str] | None = None


class QuoteStep(BaseModel):
    """rule: id, period, method, currencies; conversion: from, to, factor, rates used;
    thresholds: value and weight against them; charge: rate, minimum per kg, flat amount,
    formula; rounding: the amount."""

    step: Literal["rule", "conversion", "thresholds", "charge", "rounding"]


class Quote(BaseModel):
    model_config = example(
        destination="RU", date="2026-11-23", goods_value={"amount": "250.00", "currency": "EUR"},
        gross_weight_kg="0.500", shipping={"amount": "7.00", "currency": "EUR"},
        shipping_dutiable=False, status="ESTIMATED",
        amount={"amount": "1536.27", "currency": "RUB"},
        steps=[{"step": "rule", "id": "ru-2024"}, {"step": "rounding", "amount": "1536.27"}],
        estimate={"status": "ESTIMATED", "reason": "over the threshold", "amount": "1536.27",
                  "currency": "RUB"})

    destination: str
    date: str
    goods_value: Money
    gross_weight_kg: str
    shipping: Money | None = None
    shipping_dutiable: bool | None = None
    status: Literal[ESTIMATES]  # type: ignore[valid-type]
    amount: Money | None = Field(description="in the currency the authority charges in")
    steps: list[QuoteStep]
    estimate: DutyEstimate
