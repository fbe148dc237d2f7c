"""Query parameters: parsed strictly, refused with a precise 400 (never ignored, never a 500)."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, request

from api.errors import ApiProblem
from customs.domain.feed import owner_fingerprint
from customs.domain.lifecycle import ParcelStatus
from customs.services.ports import SearchFilters

DEFAULT_PAGE = 100
HS_PREFIX = re.compile(r"^[0-9]{2,10}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
AMOUNT = re.compile(r"^[0-9]{1,15}(\.[0-9]{1,4})?$")
# Each sort has an index behind every scope (received: per office, tenant and courier; value:
# the amount). "Recently changed" is what the feed is for.
SORTS = ("received_at", "-received_at", "value", "-value")


def bad(parameter: str, detail: str) -> ApiProblem:
    return ApiProblem(400, "INVALID_PARAMETER", f"{parameter}: {detail}", parameter=parameter)


EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
BIGINT = 2**63
INTEGER = 2**31  # ids and positions stored as SQL INTEGER: larger ones fail on PostgreSQL


def is_integer_key(raw: str) -> bool:
    """A non-negative number that fits the SQL INTEGER columns it is compared with."""
    return is_number(raw, 10) and int(raw) < INTEGER


def is_number(raw: str, digits: int) -> bool:
    """ASCII digits only ("²" is a digit to str.isdigit, not to int), at most `digits`."""
    return raw.isascii() and raw.isdigit() and len(raw) <= digits


def in_range(value: datetime) -> datetime:
    """A date-time the service can compute with (periods, cursors): years 1900 to 9000."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
        if not EARLIEST <= value <= LATEST:
            raise ValueError("out of range")
    return value


def limit() -> int:
    raw = request.args.get("limit", str(DEFAULT_PAGE))
    largest = current_app.extensions["customs"].settings.page_size_max
    if not is_number(raw, 6) or not 1 <= int(raw) <= largest:
        raise ApiProblem(400, "INVALID_LIMIT", f"limit must be an integer from 1 to {largest}")
    return int(raw)


def is_text(value: str) -> bool:
    """Text a database stores as given: no NUL, no unpaired surrogates."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def text(name: str, largest: int = 100) -> str | None:
    value = request.args.get(name)
    if value is None:
        return None
    if not value or len(value) > largest or not value.isprintable():
        raise bad(name, f"1-{largest} printable characters")
    return value


def instant(name: str) -> datetime | None:
    """An ISO 8601 date-time with offset (or a date: its midnight UTC)."""
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            return in_range(datetime.combine(date.fromisoformat(raw), datetime.min.time(), UTC))
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise bad(name, "give the UTC offset (Z or +03:00)")
        return in_range(value)
    except (ValueError, OverflowError):
        raise bad(name, "an ISO 8601 date (2026-11-23) or date-time with offset "
                        "(2026-11-23T10:00:00Z), years 1900 to 9000") from None


def amount(name: str) -> Decimal | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        if not AMOUNT.match(raw):
            raise InvalidOperation(raw)
        return Decimal(raw)
    except InvalidOperation:
        raise bad(name, "a non-negative decimal such as 150 or 99.90") from None


def statuses() -> tuple[str, ...]:
    values = [v for raw in request.args.getlist("status") for v in raw.split(",") if v]
    unknown = [v for v in values if v not in ParcelStatus.__members__]
    if unknown:
        raise bad("status", f"unknown {unknown[0]!r}; one of {', '.join(ParcelStatus)}")
    return tuple(dict.fromkeys(values))


def pattern(name: str, regex: re.Pattern[str], what: str) -> str | None:
    raw = request.args.get(name)
    if raw is not None and not regex.match(raw):
        raise bad(name, what)
    return raw


def words_of(query: str) -> list[str]:
    """The words of a free-text query (letters and digits), at most eight."""
    return [w.lower() for w in re.findall(r"\w+", query)][:8]


def encode_keyset(sort: str, value: Any, parcel_id: int, owner: str) -> str:
    """A search cursor: the sort, the last row's sort value and id, and its owner's
    fingerprint (Principal.cursor_owner: another API key's cursor is refused)."""
    if isinstance(value, datetime):
        kind, text_value = "t", value.replace(tzinfo=value.tzinfo or UTC).isoformat()
    else:
        kind, text_value = "d", str(value)
    raw = json.dumps([sort, kind, text_value, parcel_id, owner_fingerprint(owner)],
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_keyset(cursor: str | None, sort: str, owner: str) -> tuple[Any, int] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, kind, value, parcel_id, fingerprint = json.loads(raw)
        expected_kind = "d" if sort.lstrip("-") == "value" else "t"
        if (cursor_sort != sort or kind != expected_kind or not isinstance(parcel_id, int)
                or fingerprint != owner_fingerprint(owner)
                or not 0 <= parcel_id < BIGINT or not isinstance(value, str)):
            raise ValueError("not this search's cursor")
        if kind == "t":
            parsed: Any = in_range(datetime.fromisoformat(value))
            if parsed.tzinfo is None:
                raise ValueError("naive")
        else:
            parsed = Decimal(value)
            if not parsed.is_finite():
                raise ValueError("not finite")
        return parsed, parcel_id
    except (ValueError, TypeError, InvalidOperation, UnicodeDecodeError, OverflowError,
            RecursionError):
        raise ApiProblem(400, "INVALID_CURSOR", "the cursor is not one this search returned "
                                                "to this API key with this sort") from None


def sort() -> str:
    chosen = request.args.get("sort", "-received_at")
    if chosen not in SORTS:
        raise bad("sort", f"one of {', '.join(SORTS)}")
    return chosen


def search_filters(cursor_owner: str, cursor: str | None) -> SearchFilters:
    """Every filter of the officer search, from the query string (the API's /v1/parcels and
    the console's search page read the same parameters); `cursor`: the keyset the page
    resumes at (the API's is unsealed first: api.pagination)."""
    chosen = sort()
    return SearchFilters(
        statuses=statuses(), office=text("office", 12),
        received_from=instant("received_from"), received_to=instant("received_to"),
        marketplace=text("marketplace"),
        hs_prefix=pattern("hs", HS_PREFIX, "2 to 10 digits (chapter or prefix)"),
        value_min=amount("value_min"), value_max=amount("value_max"),
        currency=pattern("currency", CURRENCY, "an ISO 4217 code such as EUR"),
        words=tuple(words_of(text("q", 200) or "")),
        tracking_number=text("tracking_number", 64), waybill=text("waybill", 64), sort=chosen,
        after=decode_keyset(cursor, chosen, cursor_owner))
