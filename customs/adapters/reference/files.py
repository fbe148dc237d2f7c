"""Reading reference files: the HS nomenclature CSV, the dated destination and duty rules,
exchange-rate CSVs."""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from customs.domain.duty import DutyRule, DutyRules, Method, Rate
from customs.domain.errors import ReferenceDataError
from customs.domain.legs import LegRule, LegRules
from customs.domain.money import is_currency, parse_decimal
from customs.domain.regimes import DestinationRule, DestinationRules

BUNDLED_RULES = Path(__file__).resolve().parents[2] / "data" / "destination_rules.toml"


def read_nomenclature(path: Path) -> Iterator[tuple[str, str]]:
    """6-digit subheadings of a CSV with columns hscode, description, level (HS 2022 layout)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"hscode", "description"} - set(reader.fieldnames or [])
        if missing:
            raise ReferenceDataError(f"{path}: missing columns {', '.join(sorted(missing))}")
        for number, row in enumerate(reader, start=2):
            code = (row.get("hscode") or "").strip()
            if row.get("level", "6").strip() != "6":
                continue
            if len(code) != 6 or not code.isdigit():
                raise ReferenceDataError(f"{path}:{number}: {code!r} is not a 6-digit HS code")
            yield code, (row.get("description") or "").strip()


def load_destination_rules(path: Path | None = None) -> DestinationRules:
    source = path or BUNDLED_RULES
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        groups = {name: frozenset(codes) for name, codes in data.get("groups", {}).items()}
        return DestinationRules(tuple(_rule(r, groups) for r in data.get("rule", [])),
                                LegRules(tuple(_leg_rule(r, groups) for r in data.get("legs", []))))
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError) as exc:
        raise ReferenceDataError(f"{source}: {exc}") from exc


def _countries(names: list[str], groups: dict[str, frozenset[str]]) -> frozenset[str]:
    found: set[str] = set()
    for name in names:
        found |= groups.get(name, {name})
    return frozenset(found)


def _leg_rule(raw: dict, groups: dict[str, frozenset[str]]) -> LegRule:
    """A [[legs]] entry: origins exported first; destinations ["*"] or absent: all."""
    destinations = raw.get("destinations", ["*"])
    return LegRule(
        id=raw["id"], origins=_countries(raw["origins"], groups),
        destinations=None if destinations == ["*"] else _countries(destinations, groups),
        valid_from=date.fromisoformat(raw["valid_from"]),
        valid_to=date.fromisoformat(raw["valid_to"]) if raw.get("valid_to") else None,
        source=raw.get("source", ""))


def _rule(raw: dict, groups: dict[str, frozenset[str]]) -> DestinationRule:
    countries = _countries(raw["destinations"], groups)
    ioss = raw.get("ioss_required_up_to")
    return DestinationRule(
        id=raw["id"],
        countries=countries,
        valid_from=date.fromisoformat(raw["valid_from"]),
        valid_to=date.fromisoformat(raw["valid_to"]) if raw.get("valid_to") else None,
        source=raw.get("source", ""),
        require_personal_id=bool(raw.get("require_personal_id", False)),
        require_product_url=bool(raw.get("require_product_url", False)),
        min_hs_digits=int(raw.get("min_hs_digits", 6)),
        ioss_required_up_to=Decimal(ioss) if ioss else None,
        ioss_threshold_currency=raw.get("ioss_threshold_currency", "EUR"),
    )


BUNDLED_DUTY_RULES = Path(__file__).resolve().parents[2] / "data" / "duty_rules.toml"


def load_duty_rules(path: Path | None = None) -> DutyRules:
    source = path or BUNDLED_DUTY_RULES
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        groups = {name: frozenset(codes) for name, codes in data.get("groups", {}).items()}
        return DutyRules(tuple(_duty_rule(r, groups) for r in data.get("rule", [])))
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, ArithmeticError) as exc:
        raise ReferenceDataError(f"{source}: {exc}") from exc


def _amount(raw: dict, name: str) -> Decimal | None:
    text = raw.get(name)
    return None if text in (None, "") else parse_decimal(str(text))


def _duty_rule(raw: dict, groups: dict[str, frozenset[str]]) -> DutyRule:
    countries: set[str] = set()
    for name in raw["destinations"]:
        countries |= groups.get(name, {name})
    for currency in (raw["currency"], raw["settlement_currency"]):
        if not is_currency(currency):
            raise ValueError(f"rule {raw['id']}: {currency!r} is not an ISO 4217 currency")
    return DutyRule(
        id=raw["id"], countries=frozenset(countries),
        valid_from=date.fromisoformat(raw["valid_from"]),
        valid_to=date.fromisoformat(raw["valid_to"]) if raw.get("valid_to") else None,
        method=Method(raw["method"]), currency=raw["currency"],
        settlement_currency=raw["settlement_currency"], source=raw.get("source", ""),
        value_threshold=_amount(raw, "value_threshold"),
        weight_threshold=_amount(raw, "weight_threshold"),
        rate=_amount(raw, "rate") or Decimal(0), min_per_kg=_amount(raw, "min_per_kg") or
        Decimal(0), flat_amount=_amount(raw, "flat_amount") or Decimal(0),
        transaction_limit=_amount(raw, "transaction_limit"),
        annual_limit=_amount(raw, "annual_limit"))


RATE_COLUMNS = ("date", "currency", "base", "rate")
MAX_RATE_ROWS = 100_000
MAX_RATE = Decimal(10) ** 9


def read_rates(path: Path) -> list[Rate]:
    """A rates CSV: columns date (YYYY-MM-DD), currency, base, rate (1 currency = rate base)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return parse_rates(handle.read(), str(path))


def parse_rates(text: str, where: str = "rates") -> list[Rate]:
    reader = csv.DictReader(text.splitlines())
    try:
        missing = set(RATE_COLUMNS) - {(f or "").strip() for f in reader.fieldnames or []}
        if missing:
            raise ReferenceDataError(f"{where}: missing columns {', '.join(sorted(missing))}")
        rates = []
        for number, row in enumerate(reader, start=2):
            if number > MAX_RATE_ROWS + 1:
                raise ReferenceDataError(f"{where}: more than {MAX_RATE_ROWS} rows")
            clean = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            rates.append(_rate(clean, f"{where}:{number}"))
    except csv.Error as exc:  # a field over the csv module's limit, a NUL byte...
        raise ReferenceDataError(f"{where}:{reader.line_num}: {exc}") from None
    return rates


def _rate(row: dict[str, str], where: str) -> Rate:
    try:
        day = date.fromisoformat(row["date"])
        value = parse_decimal(row["rate"])
    except ValueError as exc:
        raise ReferenceDataError(f"{where}: {exc}") from None
    for code in (row["currency"], row["base"]):
        if not is_currency(code):
            raise ReferenceDataError(f"{where}: {code!r} is not an ISO 4217 currency code")
    if row["currency"] == row["base"]:
        raise ReferenceDataError(f"{where}: currency and base are both {row['base']}")
    if not 0 < value < MAX_RATE or value.as_tuple().exponent < -10:  # type: ignore[operator]
        raise ReferenceDataError(f"{where}: rate must be positive, below {MAX_RATE}, with at "
                                 "most 10 decimals")
    return Rate(day, row["currency"], row["base"], value)
