"""What the cn-ceb profile needs beyond the manifest: the tenant's registrations with the GACC
(a TOML file, CUSTOMS_CN_CEB_CONFIG; see examples/cn-ceb-tenant.toml) and the GACC parameter
codes (customs/data/gacc_codes.toml).

Nothing here is ever invented: a value the file does not hold (a courier without a logistics
registration, an HS code without a legal unit, a country without its GACC code) makes that
parcel's declaration fail with a message naming it (MissingValue)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CODES = Path(__file__).resolve().parents[3] / "data" / "gacc_codes.toml"
# Registered codes: 10-character customs codes or 18-character unified social credit codes.
CODE_LENGTHS = (10, 18)


class ConfigError(Exception):
    """The file is missing, not TOML, or lacks a required registration."""


class MissingValue(ValueError):
    """A value a parcel's inventory needs that neither the manifest nor the configuration has."""


@dataclass(frozen=True, slots=True)
class Registration:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class CebConfig:
    platform: Registration  # ebpCode / ebpName: the e-commerce platform
    enterprise: Registration  # ebcCode / ebcName: the e-commerce enterprise
    agent: Registration  # agentCode / agentName: the declaring enterprise
    guarantee_code: str  # assureCode: who guarantees the tax
    transfer: Registration  # BaseTransfer copCode / copName
    dxp_id: str  # BaseTransfer dxpId: our user number on the data exchange platform
    logistics: dict[str, Registration]  # courier code in manifests → logistics enterprise
    legal_units: dict[str, str]  # HS code prefix → legal unit of measure (GACC code)
    owner: Registration | None  # export: ownerCode / ownerName, the actual shipper
    codes: dict[str, dict[str, str]]  # GACC parameter codes, by table
    charges_included: bool = False  # prices include freight and insurance: both declared 0
    wrap_type: str | None = None  # export: the packaging code (wrapType, 1 character)
    ports: dict[str, str] | None = None  # export: destination country → port code (POD)
    export_office: str | None = None  # export: the GACC customs code declaring our exports

    def export_customs_code(self) -> str:
        if self.export_office is None:
            raise MissingValue("no export customs office in the cn-ceb configuration "
                               "([export] customs_code)")
        return self.export_office

    def port_for(self, country: str) -> str:
        found = (self.ports or {}).get(country)
        if found is None:
            raise MissingValue(f"no destination port (POD) for {country} in the cn-ceb "
                               "configuration ([export.ports])")
        return found

    def packaging(self) -> str:
        if self.wrap_type is None:
            raise MissingValue("no packaging code in the cn-ceb configuration "
                               "([export] wrap_type)")
        return self.wrap_type

    def charges(self) -> str:
        """Freight and insurance as declared: 0 only when the tenant says prices include them."""
        if not self.charges_included:
            raise MissingValue("the manifest carries no freight or insurance charge; set "
                               "[charges] included = true if prices include them")
        return "0"

    def logistics_for(self, courier: str) -> Registration:
        found = self.logistics.get(courier)
        if found is None:
            raise MissingValue(f"no logistics registration for courier {courier!r} in the "
                               "cn-ceb configuration ([logistics.<courier>])")
        return found

    def legal_unit(self, hs_code: str) -> str:
        """The legal unit of the longest configured prefix of `hs_code`."""
        for length in range(len(hs_code), 1, -1):
            if hs_code[:length] in self.legal_units:
                return self.legal_units[hs_code[:length]]
        raise MissingValue(f"no legal unit for HS code {hs_code} in the cn-ceb configuration "
                           "([legal_units])")

    def code(self, table: str, key: str) -> str:
        found = self.codes.get(table, {}).get(key)
        if found is None:
            raise MissingValue(f"{key!r} has no GACC code in [{table}] of gacc_codes.toml")
        return found


def _registration(data: dict[str, Any], section: str, *,
                  label: str | None = None) -> Registration:
    raw = data.get(section)
    section = label or section
    if not isinstance(raw, dict) or not raw.get("code") or not raw.get("name"):
        raise ConfigError(f"[{section}] needs code and name")
    code, name = str(raw["code"]), str(raw["name"])
    if len(code) not in CODE_LENGTHS:
        raise ConfigError(f"[{section}] code {code!r} must have 10 or 18 characters")
    if len(name) > 100:
        raise ConfigError(f"[{section}] name has more than 100 characters")
    return Registration(code, name)


def load_config(path: Path, codes: Path = CODES) -> CebConfig:
    """The tenant's registrations; raises ConfigError saying what is wrong."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        tables = tomllib.loads(codes.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    transfer = _registration(data, "transfer")
    dxp_id = str(data["transfer"].get("dxp_id") or "")
    guarantee = str((data.get("guarantee") or {}).get("code") or "")
    if not dxp_id or len(dxp_id) > 30:
        raise ConfigError("[transfer] needs dxp_id (at most 30 characters)")
    if not guarantee or len(guarantee) > 30:
        raise ConfigError("[guarantee] needs code (at most 30 characters)")
    logistics = {courier: _registration(data["logistics"], courier,
                                        label=f"logistics.{courier}")
                 for courier in (data.get("logistics") or {})}
    units = {str(k): str(v) for k, v in (data.get("legal_units") or {}).items()}
    if any(len(v) != 3 or not k.isdigit() for k, v in units.items()):
        raise ConfigError("[legal_units] maps HS code prefixes (digits) to 3-digit GACC units")
    return CebConfig(
        _registration(data, "platform"), _registration(data, "enterprise"),
        _registration(data, "agent"), guarantee, transfer, dxp_id, logistics, units,
        _registration(data, "owner") if "owner" in data else None,
        {table: {str(k): str(v) for k, v in rows.items()} for table, rows in tables.items()},
        bool((data.get("charges") or {}).get("included", False)), *_export(data))


def _export(data: dict[str, Any]) -> tuple[str | None, dict[str, str], str | None]:
    export = data.get("export") or {}
    wrap = export.get("wrap_type")
    if wrap is not None and len(str(wrap)) != 1:
        raise ConfigError("[export] wrap_type is one character (the GACC packaging code)")
    ports = {str(k): str(v) for k, v in (export.get("ports") or {}).items()}
    if any(not 3 <= len(v) <= 4 for v in ports.values()):
        raise ConfigError("[export.ports] port codes have 3 or 4 characters")
    office = export.get("customs_code")
    if office is not None and (len(str(office)) != 4 or not str(office).isdigit()):
        raise ConfigError("[export] customs_code is a 4-digit GACC customs code")
    return None if wrap is None else str(wrap), ports, None if office is None else str(office)
