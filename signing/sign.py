"""Enveloped XML-Signature 1.1: exclusive C14N 1.0, SHA-256 with RSA-SHA256 or ECDSA-SHA256
(r||s), or Streebog with GOST R 34.10-2012 (s||r), the signer's certificate in KeyInfo. Works on
an lxml tree in place, with no re-parsing.

Speed: per (certificate, algorithm) the Signature subtree is prepared once, and the canonical
form of its SignedInfo kept as text around the two per-document values (the reference URI and
the digest); each signature then costs one canonicalization of the document, one digest, one
raw signature and a copy of the template. `tests/signing` checks that the prepared text is
byte for byte the canonical SignedInfo, for any Id.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

from signing.algorithms import DS, ENVELOPED, EXC_C14N, REFERENCE_DIGESTS, SHA256
from signing.algorithms import digest as digest_of
from signing.certificates import check_validity
from signing.signer import Signer

_P = f"{{{DS}}}"
_SIGNATURE = _P + "Signature"
_local = threading.local()
_templates: dict[int, _Template] = {}


@dataclass(frozen=True)
class _Template:
    certificate: x509.Certificate
    algorithm: str
    signature: etree._Element  # ds:Signature; URI, DigestValue, SignatureValue set per document
    head: bytes  # canonical SignedInfo up to the Reference URI value,
    middle: bytes  # from after it to the digest value,
    tail: bytes  # and after the digest value
    not_before: datetime
    not_after: datetime
    key_info: bytes  # the ds:KeyInfo element as text, then the end of ds:Signature
    digest_method: str  # SHA-256, or the Streebog that goes with a GOST signature


def c14n_attribute(value: str) -> bytes:
    """An attribute value as C14N writes it."""
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), ('"', "&quot;"), ("\t", "&#x9;"),
                         ("\n", "&#xA;"), ("\r", "&#xD;")):
        value = value.replace(raw, escaped)
    return value.encode()


def _signed_info_text(algorithm: str) -> tuple[bytes, bytes, bytes]:
    """The exclusive-C14N form of the SignedInfo we build, around the URI and the digest."""
    def alg(name: str, value: str) -> str:
        return f'<ds:{name} Algorithm="{value}"></ds:{name}>'

    head = (f'<ds:SignedInfo xmlns:ds="{DS}">{alg("CanonicalizationMethod", EXC_C14N)}'
            f'{alg("SignatureMethod", algorithm)}<ds:Reference URI="')
    middle = (f'"><ds:Transforms>{alg("Transform", ENVELOPED)}{alg("Transform", EXC_C14N)}'
              f'</ds:Transforms>{alg("DigestMethod", _digest_method(algorithm))}'
              '<ds:DigestValue>')
    return head.encode(), middle.encode(), b"</ds:DigestValue></ds:Reference></ds:SignedInfo>"


def _digest_method(algorithm: str) -> str:
    return REFERENCE_DIGESTS.get(algorithm, SHA256)


def _ds(parent: etree._Element, name: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, _P + name, attrs)


def _template(certificate: x509.Certificate, algorithm: str) -> _Template:
    """The prepared template of a certificate: looked up by identity (hashing a certificate
    costs a microsecond); the cache holds the certificate, so its id is not reused."""
    found = _templates.get(id(certificate))
    if found is None or found.certificate is not certificate or found.algorithm != algorithm:
        if len(_templates) >= 16:
            _templates.clear()
        found = _templates[id(certificate)] = _prepare(certificate, algorithm)
    return found


def _prepare(certificate: x509.Certificate, algorithm: str) -> _Template:
    signature = etree.Element(_P + "Signature", nsmap={"ds": DS})
    signed_info = _ds(signature, "SignedInfo")
    _ds(signed_info, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _ds(signed_info, "SignatureMethod", Algorithm=algorithm)
    reference = _ds(signed_info, "Reference", URI="")
    transforms = _ds(reference, "Transforms")
    _ds(transforms, "Transform", Algorithm=ENVELOPED)
    _ds(transforms, "Transform", Algorithm=EXC_C14N)
    _ds(reference, "DigestMethod", Algorithm=_digest_method(algorithm))
    _ds(reference, "DigestValue")
    _ds(signature, "SignatureValue")
    der = base64.b64encode(certificate.public_bytes(serialization.Encoding.DER))
    _ds(_ds(_ds(signature, "KeyInfo"), "X509Data"), "X509Certificate").text = der.decode()
    head, middle, tail = _signed_info_text(algorithm)
    key_info = (b"<ds:KeyInfo><ds:X509Data><ds:X509Certificate>" + der +
                b"</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>")
    return _Template(certificate, algorithm, signature, head, middle, tail,
                     certificate.not_valid_before_utc, certificate.not_valid_after_utc,
                     key_info, _digest_method(algorithm))


def sign_enveloped(root: etree._Element, signer: Signer, *, reference_uri: str = "",
                   at: datetime | None = None) -> etree._Element:
    """Append an enveloped ds:Signature to `root` and return it.

    `reference_uri` "" covers the whole document (`root` must be its document element;
    serialize the tree if it has processing instructions outside the root) and "#<Id>" covers
    `root` by its Id attribute. Raises CertificateExpired / CertificateNotYetValid outside the
    certificate's validity (`at`, default now): nothing is signed then.
    """
    template, _canonical, digest, value = _signature_values(root, signer, reference_uri, at)
    signature = template.signature.__copy__()  # lxml copies deep; skips the copy module
    reference = signature[0][2]
    reference.set("URI", reference_uri)
    reference[2].text = digest.decode()  # DigestValue
    signature[1].text = base64.b64encode(value).decode()  # SignatureValue
    root.append(signature)
    return root


def signed_canonical(root: etree._Element, signer: Signer, *, reference_id: str,
                     at: datetime | None = None, canonical: bytes | None = None,
                     first: bool = False) -> bytes:
    """The element `root` (Id `reference_id`) signed enveloped, as bytes: its exclusive
    canonical form with the ds:Signature written in as text before its end tag, after an XML
    declaration. `root` itself is left unchanged.

    What a verifier digests is this very text without the signature (canonical XML is
    idempotent), so nothing is serialized twice and no signature subtree is copied; the
    Signature's SignedInfo is the canonical text that was signed (it declares the ds prefix
    again, which changes nothing). Same errors as `sign_enveloped`.

    `canonical`: the exclusive canonical form of `root`, when the caller wrote it and can vouch
    that it is exactly that (a renderer whose text is canonical by construction, checked by
    its tests against lxml's C14N); it saves canonicalizing the tree. A wrong one yields a
    signature that no verifier accepts.

    `first`: the signature is written as the element's first child instead of its last. For a
    document that embeds other signed documents (a batch of declarations): stock verifiers
    (xmlsec1, signxml) check the first ds:Signature in document order, which must then be the
    one covering the whole.
    """
    uri = "#" + reference_id
    template, canonical, digest, value = _signature_values(root, signer, uri, at, canonical)
    # canonical XML always writes the end tag, and the start tag's ">" is the first one
    # outside an attribute value
    end = _start_tag_end(canonical) if first else canonical.rindex(b"</")
    return b"".join((
        b"<?xml version='1.0' encoding='UTF-8'?>\n", canonical[:end],
        b'<ds:Signature xmlns:ds="', DS.encode(), b'">', template.head, c14n_attribute(uri),
        template.middle, digest, template.tail, b"<ds:SignatureValue>",
        base64.b64encode(value), b"</ds:SignatureValue>", template.key_info, canonical[end:]))


def _start_tag_end(canonical: bytes) -> int:
    """Just after the document element's start tag, in its canonical form: C14N writes every
    attribute value in double quotes and escapes any quote inside, but not ">"."""
    quoted = False
    for index, byte in enumerate(canonical):
        if byte == 0x22:  # "
            quoted = not quoted
        elif byte == 0x3E and not quoted:  # >
            return index + 1
    raise ValueError("not a canonical element: its start tag does not end")


def _signature_values(root: etree._Element, signer: Signer, reference_uri: str,
                      at: datetime | None, canonical: bytes | None = None,
                      ) -> tuple[_Template, bytes, bytes, bytes]:
    """The template, the covered content's canonical form, its digest (base64) and the raw
    signature of the SignedInfo."""
    _check_target(root, reference_uri)
    template = _template(signer.certificate, signer.algorithm)
    moment = at or datetime.now(UTC)
    if not template.not_before <= moment <= template.not_after:
        check_validity(signer.certificate, moment)
    if canonical is None:
        node = root.getroottree() if reference_uri == "" else root
        canonical = etree.tostring(node, method="c14n", exclusive=True, with_comments=False)
    digest = base64.b64encode(digest_of(template.digest_method, canonical))
    value = signer.sign(b"".join((template.head, c14n_attribute(reference_uri),
                                  template.middle, digest, template.tail)))
    return template, canonical, digest, value


def _check_target(root: etree._Element, reference_uri: str) -> None:
    if reference_uri:
        if reference_uri[1:] != root.get("Id") or reference_uri[0] != "#":
            raise ValueError(f"reference {reference_uri!r} must be '#' + the element's Id")
    elif root.getparent() is not None:
        raise ValueError('URI "" covers the whole document: sign its document element, or '
                         "give the element an Id and use reference_uri='#<Id>'")
    if next(root.iterchildren(_SIGNATURE), None) is not None:
        raise ValueError("the element already carries a ds:Signature")


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:  # lxml parsers are not shared between threads
        parser = _local.parser = etree.XMLParser(resolve_entities=False, no_network=True,
                                                 load_dtd=False, huge_tree=False)
    return parser


def sign_bytes_document(document: bytes, signer: Signer, *, at: datetime | None = None) -> bytes:
    """Parse (safely: no DTD, entities or network), sign the document element (by its Id when
    it has one), serialize as UTF-8."""
    try:
        root = etree.fromstring(document, _parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML: {exc.msg}") from None
    if root.getroottree().docinfo.doctype:
        raise ValueError("documents with a DOCTYPE are not signed")
    uri = f"#{root.get('Id')}" if root.get("Id") else ""
    sign_enveloped(root, signer, reference_uri=uri, at=at)
    return bytes(etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8"))
