"""Helpers for the cn-ceb tests: the official GACC folder (../shared), the example tenant
configuration, element paths, and every CEB document checked as an outsider would (the CEB
message itself against the official schema, both validators, where it stands: alone, or as
base64 in a DxpMsg; every signature with our verifier pinned, xmlsec1 and signxml)."""

from __future__ import annotations

import base64
from pathlib import Path

from lxml import etree
from signxml import XMLVerifier

import signing
from schemas.cn_ceb import CEB_NS, DXP_NS, CebSchemas
from tests.fts_documents import Document
from tests.signing.conftest import xmlsec1

ROOT = Path(__file__).resolve().parents[1]
DXP_ID = f"{DXP_NS}:DxpMsg"


def paths(element: etree._Element) -> set[str]:
    """Every element's path from the root, by local names (no positions)."""
    found = set()
    for e in element.iter():
        if isinstance(e.tag, str) and etree.QName(e).namespace == CEB_NS:
            found.add("/".join(etree.QName(a).localname for a in reversed(
                [e, *e.iterancestors()])))
    return found


def ceb_messages(document: bytes) -> list[tuple[etree._Element, bytes]]:
    """The CEB messages a document is or carries: (root, its own bytes)."""
    root = signing.parse_untrusted(document)
    if root.tag == f"{{{DXP_NS}}}DxpMsg":
        carried = base64.b64decode("".join((root.findtext(f"{{{DXP_NS}}}Data") or "").split()))
        return [(signing.parse_untrusted(carried), carried)]
    return [(root, document)] if root.tag.startswith(f"{{{CEB_NS}}}") else []


def schema_errors(document: Document, schemas: CebSchemas) -> list[str]:
    errors = []
    root = signing.parse_untrusted(document.content)
    if root.tag == f"{{{DXP_NS}}}DxpMsg":
        errors += schemas.validate(root, thorough=True)
    for message, _ in ceb_messages(document.content):
        errors += schemas.validate(message, thorough=True)
    return [f"{document.origin}: {e}" for e in errors]


def signature_errors(document: Document, certs: list[Path], tmp_path: Path) -> list[str]:
    verifier = signing.Verifier([signing.load_certificate(c) for c in certs])
    try:
        verified = verifier.verify(document.content)
    except (signing.VerificationError, signing.PolicyError) as exc:
        return [f"{document.origin}: ours: {exc}"]
    assert verified.certificate is not None
    cert = next(c for c in certs if signing.fingerprint(signing.load_certificate(c)) ==
                signing.fingerprint(verified.certificate))
    errors = []
    if xmlsec1(document.content, cert, tmp_path, (DXP_ID,)).returncode != 0:
        errors.append(f"{document.origin}: xmlsec1 refuses it")
    try:
        XMLVerifier().verify(document.content, x509_cert=cert.read_text())
    except Exception as exc:  # any refusal by signxml is the finding
        errors.append(f"{document.origin}: signxml: {exc}")
    return errors
