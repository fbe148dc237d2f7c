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
    """JSON rates as the CSV the loader reads (one parser, one set of checks)."""
    try:
        parsed: Any = json.loads(_decode(body))
        excess = json_excess(parsed, max_keys=8)
        if excess:
            raise ValueError(f"the JSON has {excess}")
        items = parsed["rates"]
        if not isinstance(items, list):
            raise TypeError("rates is not a list")
        lines = ["date,currency,base,rate"]
        for item in items:
            values = [str(item[k]) for k in ("date", "currency", "base", "rate")]
            if any(isinstance(item[k], float) for k in item) or any(
                    c in v for v in values for c in ",\n\r\""):
                raise ValueError("values must be strings without commas or quotes")
            lines.append(",".join(values))
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ApiProblem(422, "RATES_INVALID",
                         f'send {{"rates": [{{"date", "currency", "base", "rate"}}]}} with '
                         f"string values: {exc}") from None
    return "\n".join(lines) + "\n"
