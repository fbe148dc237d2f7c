"""The demo's correction round trip (--profile ru-fts-express), through the real HTTP API.

A one-parcel manifest of medicines (HS chapter 30) goes to the simulated FTS, which asks for it
to be corrected (ExpressCargoReqCorrect: a permit is missing); the parcel is HELD with the
request. The marketplace sends the parcel again with the permit in its description
(POST /v1/parcels/{tn}/corrections); the service declares it as the correction of the registry
(DocType 1), the worker seals and sends the correction registry, the FTS releases it, and the
parcel's view lists both versions.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import requests
from lxml import etree

from customs.bootstrap import generate_sample

M = "{urn:customs:manifest:1}"
MEDICINE = ("3004900009", "Vitamin complex, 60 tablets")
PERMIT = " (import permit 77-01/2026 of 20.11.2026)"


def correction_round_trip(session: requests.Session, base: str, keep: Path | None,
                          timeout: float) -> int:
    """0 when the parcel went HELD → corrected → RELEASED with both versions listed; else
    the number of steps that went wrong."""
    click.echo("\ncorrection round trip (FTS ExpressCargoReqCorrect):")
    manifest, parcel = _medicine_manifest()
    number = parcel.findtext(M + "TrackingNumber") or ""
    _post(session, f"{base}/v1/manifests", etree.tostring(manifest))
    held = _wait(session, base, number, timeout, lambda v: v["status"] == "HELD" and (
        v["history"][-1]["source"] == "FTS:REQ-CORRECT"))
    if held is None:
        return 1
    request = held["correction_request"]
    click.echo(f"  {number} HELD: {held['history'][-1]['reason']}; registry "
               f"{request['registration_number']}, deadline {request['limit_at']}")
    description = parcel.find(f"{M}Item/{M}Description")
    assert description is not None
    description.text = (description.text or "") + PERMIT
    reply = _post(session, f"{base}/v1/parcels/{number}/corrections",
                  etree.tostring(parcel, xml_declaration=True, encoding="UTF-8"))
    click.echo(f"  marketplace correction: {reply.status_code} version {reply.json()['version']}"
               f", correction {reply.json()['ordinal']} of registry "
               f"{reply.json()['registration_number']}, change codes "
               f"{reply.json()['change_codes']}")
    released = _wait(session, base, number, timeout, lambda v: v["status"] == "RELEASED")
    if released is None:
        return 1
    click.echo("  history ends: " + " → ".join(f"{e['status']} ({e['source']})"
                                               for e in released["history"][-6:]))
    click.echo("  versions: " + "; ".join(
        f"{v['version']} from {v['source']}: {v['data']['items'][0]['description']}"
        for v in released["versions"]))
    if keep is not None:  # the correction's declaration, as served
        (keep / "declarations").mkdir(parents=True, exist_ok=True)
        (keep / "declarations" / f"{number}.xml").write_bytes(session.get(
            f"{base}/v1/parcels/{number}/declaration", timeout=60).content)
    return (len(released["versions"]) != 2) + (released["history"][-1]["source"] != "FTS:10")


def _medicine_manifest() -> tuple[etree._Element, etree._Element]:
    """A generated RU manifest of one parcel whose one item is medicine (the simulated FTS
    asks for a permit), and that parcel."""
    sample = etree.fromstring(generate_sample(1, 21, invalid_rate=0, destination="RU",
                                              customs_office="10005020").xml)
    parcel = sample.find(M + "Parcel")
    assert parcel is not None
    items = parcel.findall(M + "Item")
    for extra in items[1:]:
        parcel.remove(extra)
    item, value = items[0], parcel.find(M + "DeclaredValue")
    assert value is not None
    hs, text = item.find(M + "HSCode"), item.find(M + "Description")
    assert hs is not None and text is not None
    hs.text, text.text = MEDICINE
    price = item.find(M + "Value")
    assert price is not None
    price.text = value.text  # the one item is the whole value
    return sample, parcel


def _post(session: requests.Session, url: str, body: bytes) -> requests.Response:
    reply = session.post(url, data=body, timeout=60, headers={
        "Content-Type": "application/xml", "Idempotency-Key": str(uuid.uuid4())})
    reply.raise_for_status()
    return reply


def _wait(session: requests.Session, base: str, number: str, timeout: float,
          done: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout
    view: dict[str, Any] = {}
    while time.monotonic() < deadline:
        view = session.get(f"{base}/v1/parcels/{number}", timeout=30).json()
        if done(view):
            return view
        time.sleep(0.3)
    click.echo(f"  {number} is still {view.get('status')} after {timeout:.0f} s")
    return None
