"""Reading reference files: the HS nomenclature CSV and the dated destination rules."""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from customs.domain.errors import ReferenceDataError
from customs.domain.regimes import DestinationRule, DestinationRules

BUNDLED_RULES = Path(__file__).resolve().parents[1] / "data" / "destination_rules.toml"


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
        return DestinationRules(tuple(_rule(r, groups) for r in data.get("rule", [])))
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError) as exc:
        raise ReferenceDataError(f"{source}: {exc}") from exc


def _rule(raw: dict, groups: dict[str, frozenset[str]]) -> DestinationRule:
    countries: set[str] = set()
    for name in raw["destinations"]:
        countries |= groups.get(name, {name})
    ioss = raw.get("ioss_required_up_to")
    return DestinationRule(
        id=raw["id"],
        countries=frozenset(countries),
        valid_from=date.fromisoformat(raw["valid_from"]),
        valid_to=date.fromisoformat(raw["valid_to"]) if raw.get("valid_to") else None,
        source=raw.get("source", ""),
        require_personal_id=bool(raw.get("require_personal_id", False)),
        require_product_url=bool(raw.get("require_product_url", False)),
        min_hs_digits=int(raw.get("min_hs_digits", 6)),
        ioss_required_up_to=Decimal(ioss) if ioss else None,
        ioss_threshold_currency=raw.get("ioss_threshold_currency", "EUR"),
    )
