"""The demo's per-manifest tables: each parcel's outcome as the service stored it, in words.

Columns are headed and explained once (LEGEND); codes are spelled out (the violated rule's
title, the FTS decision code's meaning) with the code kept alongside for searching the docs."""

from __future__ import annotations

from typing import Any

import click
import requests

from customs.domain.errors import CATALOGUE

ROW = "  {:>4}  {:<19} {:<9} {:<10} {:>15} {:>16}  {}"
HEADER = ROW.format("#", "tracking number", "status", "courier", "duty assessed",
                    "duty estimated", "why")
ESTIMATE_WORDS = {"RATES_MISSING": "no rates", "NO_RULE": "no rule",
                  "NOT_ESTIMABLE": "not estimable", "NONE": "-"}
WORDS = {"FTS": {"10": "released", "31": "released once duty is paid", "90": "refused",
                 "92": "held for inspection"},
         "CEB": {"800": "released", "500": "inspection", "300": "manual review",
                 "100": "returned by customs", "120": "registered"}}
LEGEND = """
columns: status = the parcel's state now; courier = who delivers it (Parcel/Courier);
  duty assessed = the duty the authority decided (DUTY_DUE), as the service stored it, in the
    currency the authority charges for that destination;
  duty estimated = the service's own estimate at intake, from its dated duty rules and the
    day's exchange rates (docs/duty.md): "not estimable" when the destination's rule needs
    tariff rates the service does not hold, "no rule" / "no rates" when it has none;
  why = the authority's reason (FTS and GACC answers: their code and its meaning), or, for a
    REJECTED parcel, each rule it broke, with its code (docs/errors.md)."""


def print_table(session: requests.Session, base: str, destination: str, manifest_id: str,
                parcels: list[dict[str, Any]], checked: list[tuple[bool, str | None]],
                authority_codes: dict[str, str]) -> None:
    """One manifest's table; `checked` says per parcel whether it is as designed (and if not,
    what was expected)."""
    office = parcels[0]["destination"]["customs_office"] if parcels else "-"
    click.echo(f"\n{destination} manifest {manifest_id}: {len(parcels)} parcels to "
               f"{destination}, customs office {office}")
    click.echo(HEADER)
    for parcel, (ok, expected) in zip(parcels, checked, strict=True):
        number = parcel["tracking_number"]
        detail = (session.get(f"{base}/v1/parcels/{number}", timeout=60).json()
                  if number and parcel["status"] != "REJECTED" else None)
        mark = "" if ok else f"   <-- expected {expected}"
        click.echo(ROW.format(parcel["position"], number or "-", parcel["status"],
                              parcel.get("courier") or "-", _assessed(detail),
                              _estimated(detail), _why(parcel, detail, authority_codes)) + mark)


def _assessed(detail: dict[str, Any] | None) -> str:
    duty = detail and detail.get("assessed_duty")
    return f"{duty['amount']} {duty['currency']}" if duty else "-"


def _estimated(detail: dict[str, Any] | None) -> str:
    if detail is None:
        return "-"
    found = detail["duty_estimate"]
    if found["status"] == "ESTIMATED":
        return f"{found['amount']} {found['currency']}"
    return ESTIMATE_WORDS.get(found["status"], found["status"].lower().replace("_", " "))


def _why(parcel: dict[str, Any], detail: dict[str, Any] | None,
         authority_codes: dict[str, str]) -> str:
    """`authority_codes`: tracking number → the authority's own code (FTS:10, CEB:800)."""
    if parcel["status"] == "REJECTED":
        codes = sorted({v["code"] for v in parcel["violations"]})
        return "; ".join(f"{_title(code)} [{code}]" for code in codes)
    own = authority_codes.get(parcel["tracking_number"] or "")
    if own:
        authority, code = own.split(":", 1)
        return f"{authority} decision {code}: {WORDS[authority].get(code, 'unknown code')}"
    by_authority = [e for e in (detail or {}).get("history", [])
                    if str(e.get("source", "")).startswith("AUTH")]
    reason = by_authority[-1].get("reason") if by_authority else None
    return "" if not reason or reason == parcel["status"] else reason


def _title(code: str) -> str:
    known = CATALOGUE.get(code)
    return known.title.rstrip(".") if known else code
