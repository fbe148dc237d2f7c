"""What the Russian demo left behind, checked as an outsider would: every document in an FTS
namespace validates against the official album (both validators) exactly where it stands, and
every signature verifies (our verifier, pinned; then xmlsec1 and signxml, or for GOST the
OpenSSL GOST engine and gostcrypto)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from gostcrypto import gosthash
from lxml import etree
from signxml import XMLVerifier

import signing
from schemas import compiled, ru_envelope_xsd_path
from schemas.ru_fts import Album
from tests.signing.conftest import xmlsec1
from tests.signing.gost_reference import (
    gostcrypto_verifies,
    openssl_digest,
    openssl_verifies,
    parts,
)

FTS = "urn:customs.ru:"
ENVELOPE = "{urn:customs:ru-fts-envelope:1}Envelope"
ID_ELEMENTS = ("urn:customs:declaration:generic:1:Declaration", "urn:customs:batch:1:Batch",
               "urn:customs:authority:1:Ack", "urn:customs:authority:1:Decisions",
               "urn:customs:ru-fts-envelope:1:Envelope")
# the tables that keep documents, as stored
STORED = ("declarations", "batches", "messages", "quarantined_messages")


@dataclass(frozen=True)
class Document:
    origin: str  # where it was found: a file, or table and row
    content: bytes


def stored(database: Path) -> list[Document]:
    with sqlite3.connect(database) as conn:
        return [Document(f"{table} row {row[0]}", bytes(row[1]))
                for table in STORED
                for row in conn.execute(f"SELECT id, document FROM {table} "
                                        "WHERE document IS NOT NULL")]


def served(folder: Path) -> list[Document]:
    return [Document(str(path), path.read_bytes()) for path in sorted(folder.rglob("*.xml"))]


def _in_fts(element: etree._Element) -> bool:
    return isinstance(element.tag, str) and etree.QName(element).namespace.startswith(FTS)


def fts_documents(root: etree._Element) -> list[etree._Element]:
    """The outermost elements in an FTS namespace: each is one FTS document as emitted."""
    return [e for e in root.iter() if _in_fts(e)
            and (e.getparent() is None or not _in_fts(e.getparent()))]


def album_errors(document: Document, album: Album) -> list[str]:
    """Why the document, as it stands, is not valid: its FTS documents against the album (a
    signature inside one of them is an error too), the envelope against its schema."""
    root = etree.fromstring(document.content)
    errors = []
    if root.tag == ENVELOPE:
        envelope = compiled(ru_envelope_xsd_path())
        if not envelope.validate(root):
            errors.append(f"envelope: {envelope.error_log.last_error}")
    for element in fts_documents(root):
        errors += album.validate(element, thorough=True)
    return [f"{document.origin}: {error}" for error in errors]


def signature_errors(documents: list[Document], certs: list[Path],
                     tmp_path: Path) -> list[str]:
    """Every document's signature: ours with every cert pinned, then the stock tools for the
    signer's algorithm; gostcrypto (seconds for a few dozen) on one document of each kind."""
    verifier = signing.Verifier([signing.load_certificate(c) for c in certs])
    by_fingerprint = {signing.fingerprint(signing.load_certificate(c)): c for c in certs}
    sampled: set[tuple[str, ...]] = set()
    errors = []
    for document in documents:
        try:
            verified = verifier.verify(document.content)
        except (signing.VerificationError, signing.PolicyError) as exc:
            errors.append(f"{document.origin}: ours: {exc}")
            continue
        assert verified.certificate is not None
        cert = by_fingerprint[signing.fingerprint(verified.certificate)]
        if verified.signature_method in (signing.GOST_256, signing.GOST_512):
            kind = (str(cert), *(etree.QName(e).localname for e in fts_documents(
                verified.element)[:1]), etree.QName(verified.element).localname)
            found = _gost_references(document, cert, verified.signature_method, tmp_path,
                                     independent=kind not in sampled)
            sampled.add(kind)
        else:
            found = _stock_tools(document, cert, tmp_path)
        errors += [f"{document.origin}: {e}" for e in found]
    return errors


def _stock_tools(document: Document, cert: Path, tmp_path: Path) -> list[str]:
    errors = []
    if xmlsec1(document.content, cert, tmp_path, ID_ELEMENTS).returncode != 0:
        errors.append("xmlsec1 refuses it")
    try:
        XMLVerifier().verify(document.content, x509_cert=cert.read_text())
    except Exception as exc:  # any refusal by signxml is the finding
        errors.append(f"signxml: {exc}")
    return errors


def _gost_references(document: Document, cert: Path, method: str, tmp_path: Path, *,
                     independent: bool) -> list[str]:
    """Digest recomputed and signature value verified by the OpenSSL GOST engine, and by
    gostcrypto too when `independent` (the signature covers the whole document: its root, by
    Id, as every one of ours does)."""
    size = 256 if method == signing.GOST_256 else 512
    content, signed_info, digest, value = parts(document.content)
    errors = []
    if openssl_digest(size, content, tmp_path) != digest:
        errors.append("the OpenSSL GOST engine's Streebog differs from the DigestValue")
    if not openssl_verifies(size, cert, signed_info, value, tmp_path):
        errors.append("the OpenSSL GOST engine refuses the signature value")
    if independent and (gosthash.new(f"streebog{size}", data=content).digest() != digest or
                        not gostcrypto_verifies(size, cert, signed_info, value, tmp_path)):
        errors.append("gostcrypto refuses the digest or the signature value")
    return errors
