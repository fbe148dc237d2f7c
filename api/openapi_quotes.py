"""OpenAPI path and schemas of POST /v1/quotes (api/quotes.py)."""

from __future__ import annotations

from typing import Any

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_DECIMAL = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}
_MONEY = {"type": "object", "required": ["amount", "currency"], "additionalProperties": False,
          "properties": {"amount": {"type": "string", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,4})?$"},
                         "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}}}
_NUMBER = {"oneOf": [_DECIMAL, {"type": "integer", "minimum": 0}]}
_TEXT = {"400": "INVALID_QUOTE (`pointer`: the JSON Pointer of the value at fault), or a "
                "body that is not a bounded JSON object", "401": "No valid API key",
         "403": "Not a marketplace or operator key", "413": "Body over 64 KiB",
         "415": "Not application/json"}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


SCHEMAS: dict[str, Any] = {
    "Basket": {**_obj(
        ["destination", "items"],
        destination={"type": "string", "pattern": "^[A-Z]{2}$",
                     "description": "ISO 3166-1 alpha-2"},
        date={"type": "string", "format": "date",
              "description": "the day whose rules and rates apply (default: today, UTC)"},
        items={"type": "array", "minItems": 1, "maxItems": 99, "items": {
            **_obj(["hs_code", "value", "quantity", "weight"],
                   hs_code={"type": "string", "pattern": "^[0-9]{6,10}$"},
                   value={**_MONEY, "description": "the line's value (all in one currency)"},
                   quantity={**_NUMBER, "description": "greater than 0"},
                   weight={**_NUMBER, "description": "the line's net weight, kg"}),
            "additionalProperties": False}},
        gross_weight={**_NUMBER, "description": "kg (default: the items' weights)"},
        shipping={**_MONEY, "description": "shown; not part of the dutiable value"}),
        "additionalProperties": False},
    "Quote": _obj(
        ["destination", "date", "goods_value", "gross_weight_kg", "status", "amount", "steps",
         "estimate"],
        destination=_STR, date=_STR, goods_value=_MONEY, gross_weight_kg=_STR,
        shipping={"oneOf": [_MONEY, {"type": "null"}]}, shipping_dutiable={"type": "boolean"},
        status={"type": "string", "enum": ["ESTIMATED", "RATES_MISSING", "NO_RULE",
                                           "NOT_ESTIMABLE"]},
        amount={"oneOf": [_MONEY, {"type": "null"}],
                "description": "in the currency the authority charges in"},
        steps={"type": "array", "items": {**_obj(["step"], step={
            "type": "string", "enum": ["rule", "conversion", "thresholds", "charge",
                                       "rounding"]}), "description": "rule: id, period, "
            "method, currencies; conversion: from, to, factor, rates used; thresholds: value "
            "and weight against them; charge: rate, minimum per kg, flat amount, formula; "
            "rounding: the amount"}},
        estimate={"$ref": "#/components/schemas/DutyEstimate"}),
}

PATHS: dict[str, Any] = {
    "/v1/quotes": {"post": {
        "operationId": "createQuote", "tags": ["quotes"], "security": [{"bearerAuth": []}],
        "summary": "The duty a basket would be charged, with every step; equal to the "
                   "estimate of the parcel declared later with the same goods (docs/duty.md)",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Basket"},
            "example": {"destination": "RU", "items": [{
                "hs_code": "8518300000", "value": {"amount": "250.00", "currency": "EUR"},
                "quantity": "1", "weight": "0.300"}], "gross_weight": "0.500",
                "shipping": {"amount": "7.00", "currency": "EUR"}}}}},
        "responses": {"200": {"description": "The quote", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Quote"}}}},
            **{c: {"description": t, "content": _PROBLEM} for c, t in _TEXT.items()}}}},
}
