"""/v1/rates: dated exchange rates for duty estimates (the operator role loads, every role
reads)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from api.auth import authenticate_request, principal, roles
from api.body import json_excess, read_bounded_body
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.pagination import page, resume_point
from api.params import limit
from api.spec.models_ops import RatePage, RatesLoaded, RatesUpload
from api.spec.params import DAY, PAGE
from api.spec.registry import Param, Reply, operation
from api.spec.validate import validated
from customs.domain.errors import ReferenceDataError

rates = Blueprint("rates", __name__, url_prefix="/v1")
rates.before_request(authenticate_request)

MAX_RATES_BYTES = 2 * 1024 * 1024
CSV_TYPES = ("text/csv",)
JSON_TYPES = ("application/json",)
DEFAULT_DAYS = 31


def _customs():  # type: ignore[no-untyped-def]
    return current_app.extensions["customs"]


@rates.put("/rates")
@operation("loadRates", "rates", "Load dated exchange rates (operator role); all rows or none; "
           "a rate already held for the same day and pair is replaced",
           Reply("Loaded", RatesLoaded), body=RatesUpload,
           raw_body={"text/csv": {"schema": {"type": "string"},
                                  "example": "date,currency,base,rate\n"
                                             "2026-12-01,EUR,RUB,92.1234\n"}},
           errors=(400, 401, 403, (413, "RATES_TOO_LARGE: over 2 MiB"),
                   (415, "UNSUPPORTED_MEDIA_TYPE: not text/csv or application/json"),
                   (422, "RATES_INVALID: a missing column, a bad date, an unknown currency, "
                         "a rate not positive")))
@roles("operator")
@idempotent(MAX_RATES_BYTES, code="RATES_TOO_LARGE")
def load_rates() -> Response:
    """Load rates: CSV (date,currency,base,rate) or JSON {"rates": [{...}]}; all or none.
    Only the operator role: every marketplace's estimates use them, so no officer of one
    office (nor anyone else) may change them."""
    if request.mimetype not in CSV_TYPES + JSON_TYPES:
        raise ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", "send rates as text/csv or "
                         "application/json", headers={"Accept-Put": "text/csv, application/json"})
    body = read_bounded_body(MAX_RATES_BYTES, code="RATES_TOO_LARGE")
    text = _csv_text(body) if request.mimetype in JSON_TYPES else _decode(body)
    who = principal()
    try:
        count = _customs().reference.load_rates_text(text, actor=f"{who.role}:{who.tenant}")
    except ReferenceDataError as exc:
        raise ApiProblem(422, "RATES_INVALID", str(exc)) from None
    return jsonify({"loaded": count})


@rates.get("/rates")
@operation("listRates", "rates", "Exchange rates held for duty estimates, by day",
           Reply("The rates, oldest day first", RatePage),
           params=(Param("from", "query", DAY, "first day (default: 30 days before `to`)"),
                   Param("to", "query", DAY, "last day (default: today); at most 366 days "
                                             "after from"), *PAGE),
           errors=((400, "INVALID_DATE, BAD_QUERY, INVALID_CURSOR or INVALID_LIMIT"), 401,
                   403))
@roles("marketplace", "courier", "officer", "operator")
def list_rates() -> Response:
    """Rates held for the days from..to (default: the last 31 days), at most 366 days, a
    page at a time (the cursor holds the window and the offset into it)."""
    last = _day("to") or _customs().clock.now().date()
    first = _day("from") or last - timedelta(days=min(DEFAULT_DAYS - 1, (last - date.min).days))
    window = f"{first.isoformat()}/{last.isoformat()}"
    offset, size = _offset(window), limit()
    held = _customs().reference.list_rates(first, last)
    more = len(held) > offset + size
    return page("rates", [r.to_json() for r in held[offset:offset + size]],
                f"{window}/{offset + size}" if more else None,
                **{"from": first.isoformat(), "to": last.isoformat()})


def _offset(window: str) -> int:
    """Where the cursor resumes; its window must be the request's (from, to)."""
    resumed = resume_point("rates")
    if resumed is None:
        return 0
    cursor_window, _, offset = resumed.rpartition("/")
    if cursor_window != window or not offset.isdigit():
        raise ApiProblem(400, "INVALID_CURSOR", "the cursor was given for other from/to dates")
    return int(offset)


def _day(name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiProblem(400, "INVALID_DATE", f"{name} must be a date YYYY-MM-DD") from None


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiProblem(422, "RATES_INVALID", "the body is not UTF-8") from None


def _csv_text(body: bytes) -> str:
    """JSON rates, validated with RatesUpload, as the CSV the loader reads (one parser of
    values, one set of checks)."""
    try:
        parsed: Any = json.loads(_decode(body))
    except (ValueError, RecursionError) as exc:
        raise _invalid("", str(exc)) from None
    excess = json_excess(parsed, max_keys=8)
    if excess:
        raise _invalid("", f"the JSON has {excess}")
    upload = validated(RatesUpload, parsed, _invalid)
    lines = ["date,currency,base,rate"]
    lines += [f"{r.date},{r.currency},{r.base},{r.rate}" for r in upload.rates]
    return "\n".join(lines) + "\n"


def _invalid(pointer: str, message: str) -> ApiProblem:
    return ApiProblem(422, "RATES_INVALID", f'send {{"rates": [{{"date", "currency", "base", '
                      f'"rate"}}]}} with string values: {pointer or "/"}: {message}',
                      pointer=pointer)
