"""The demo's outsider check: one declaration fetched over HTTP and verified with the pinned
certificate only, by our verifier and by xmlsec1 when it is installed and knows the algorithm."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import requests

import signing


def verify_one(session: requests.Session, base: str, cert: Path, workdir: Path,
               parcels: list[dict[str, Any]]) -> int:
    """Fetch the first accepted parcel's declaration and verify it as an outsider would:
    pinned certificate only; 1 if it does not verify."""
    numbers = [p["tracking_number"] for p in parcels if p["status"] != "REJECTED"]
    if not numbers:
        return 0
    document = session.get(f"{base}/v1/parcels/{numbers[0]}/declaration", timeout=60).content
    path = workdir / "example-declaration.xml"
    path.write_bytes(document)
    try:
        verified = signing.Verifier([signing.load_certificate(cert)]).verify(document)
    except signing.VerificationError as exc:
        click.echo(f"\ndeclaration of {numbers[0]}: INVALID ({exc})")
        return 1
    line = f"\ndeclaration of {numbers[0]}: signature valid ({path})"
    ok, said = _xmlsec1(path, cert, verified.signature_method)
    click.echo(line + said)
    return 0 if ok else 1


# Where our documents keep their Id (xmlsec1 resolves "#Id" only for attributes it is told of)
ID_ELEMENTS = ("urn:customs:declaration:generic:1:Declaration",
               "urn:customs:ru-fts-envelope:1:Envelope")


def _xmlsec1(path: Path, cert: Path, method: str) -> tuple[bool, str]:
    """A second opinion from xmlsec1 when it is installed and knows the algorithm."""
    xmlsec = shutil.which("xmlsec1")
    if not xmlsec:
        return True, ""
    if method in (signing.GOST_256, signing.GOST_512):
        return True, "; xmlsec1 has no GOST R 34.10-2012 (tests check GOST with OpenSSL's engine)"
    ids = [arg for element in ID_ELEMENTS for arg in ("--id-attr:Id", element)]
    result = subprocess.run(
        [xmlsec, "--verify", "--pubkey-cert-pem", str(cert), "--enabled-key-data", "key-name",
         *ids, str(path)], capture_output=True, text=True, timeout=30)
    return result.returncode == 0, "; xmlsec1 says " + ("OK" if result.returncode == 0
                                                         else "FAIL")
