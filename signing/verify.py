"""Verification of what we receive, under a strict policy.

- trust only pinned certificates or public keys, or certificates issued by pinned CAs; a key or
  certificate carried in the document is never trusted by itself (KeyValue is ignored);
- SHA-1, MD5, DSA and HMAC are refused; only enveloped-signature and C14N transforms;
  same-document references only; a DOCTYPE is refused; entities and the network are off;
- the signature must be a child of the document element and cover it (URI "" or the root's
  Id); an enveloping signature (Signature as the root, covering its own ds:Object) only when
  the Verifier allows it; anything else is signature wrapping;
- the caller gets back only what was digested, parsed again from the signed octets.
Policy checks come first (PolicyError), then the cryptography (VerificationError).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from lxml import etree

from signing import gost
from signing.algorithms import (
    check_signature_method,
    digest,
    gost_bits,
    public_key_of,
    verify_raw,
)
from signing.c14n import canonicalize, check_method, inclusive_prefixes
from signing.errors import PolicyError, VerificationError
from signing.references import (
    Q,
    Reference,
    algorithm_of,
    b64,
    digest_input,
    read_reference,
    resolve,
)

MAX_REFERENCES = 8
MAX_CERTIFICATES = 8


@dataclass(frozen=True)
class Verified:
    element: etree._Element  # what the signature covers, parsed again from the digested octets
    certificate: x509.Certificate | None  # the trusted certificate (None: a pinned bare key)
    signature_method: str
    data: bytes = b""  # the digested octets themselves (canonical form of `element`)


def parse_untrusted(document: bytes) -> etree._Element:
    """Parse without DTD, entities or network; a DOCTYPE is refused."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as exc:
        if b"<!DOCTYPE" in document[:4096]:
            raise PolicyError("documents with a DOCTYPE are refused") from None
        raise VerificationError(f"not well-formed XML: {exc.msg}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise PolicyError("documents with a DOCTYPE are refused")
    return root


class Verifier:
    """Verifies signed documents against pinned certificates, public keys or CAs.

    `trusted`: pinned certificates (e.g. a KeyRing's current and previous ones); `public_keys`:
    pinned bare keys; `ca`: certificates whose directly issued, currently valid certificates
    are trusted. `allow_enveloping` accepts a Signature that is the document element and
    covers one of its own ds:Object elements (the signed content is then that Object).
    """

    def __init__(self, trusted: Iterable[x509.Certificate] = (), *,
                 public_keys: Iterable[Any] = (), ca: Iterable[x509.Certificate] = (),
                 allow_enveloping: bool = False) -> None:
        self.trusted = list(trusted)
        self.ca = list(ca)
        self.keys: list[tuple[Any, x509.Certificate | None]] = \
            [(public_key_of(c), c) for c in self.trusted] + [(k, None) for k in public_keys]
        self.allow_enveloping = allow_enveloping
        if not self.keys and not self.ca:
            raise ValueError("pin at least one certificate, public key or CA")
        self._pinned = {_spki(key) for key, _ in self.keys}

    def verify(self, document: bytes, at: datetime | None = None) -> Verified:
        """The signed content of `document`, or VerificationError / PolicyError with a reason."""
        root = parse_untrusted(document)
        signature = self._signature_of(root)
        signed_info = _signed_info(signature)
        method = algorithm_of(signed_info, "SignatureMethod").get("Algorithm", "")
        check_signature_method(method)
        c14n = algorithm_of(signed_info, "CanonicalizationMethod")
        check_method(c14n.get("Algorithm", ""))
        references = _references(signed_info)
        targets = [resolve(root, r.uri) for r in references]
        covering = self._covering(root, signature, references, targets)
        candidates = self._candidates(signature, at or datetime.now(UTC))
        signed = canonicalize(signed_info, c14n.get("Algorithm", ""),
                              prefixes=inclusive_prefixes(c14n))
        value = b64(signature.findtext(Q + "SignatureValue"), "SignatureValue")
        certificate = _verify_value(candidates, method, value, signed)
        data = _check_digests(signature, references, targets)[covering]
        return Verified(parse_untrusted(data), certificate, method, data)

    def _signature_of(self, root: etree._Element) -> etree._Element:
        # Signatures deeper down belong to embedded documents (declarations inside a batch).
        if root.tag == Q + "Signature":
            if not self.allow_enveloping:
                raise PolicyError("the ds:Signature is the document element (enveloping): "
                                  "refused, the signature must sit inside what it signs")
            return root
        found = root.findall(Q + "Signature")
        if not found:
            raise VerificationError("the document element carries no ds:Signature")
        if len(found) > 1:
            raise PolicyError("more than one ds:Signature on the document element")
        return found[0]

    def _covering(self, root: etree._Element, signature: etree._Element,
                  references: list[Reference], targets: list[etree._Element]) -> int:
        """Index of the reference that covers the document; anything else is wrapping."""
        covering = [i for i, target in enumerate(targets)
                    if (target is root and signature is not root)
                    or (signature is root and target.getparent() is signature
                        and target.tag == Q + "Object")]
        if not covering:
            raise PolicyError("no reference covers the document element (signature wrapping)")
        for reference, target in zip(references, targets, strict=True):
            if reference.enveloped and not any(a is target for a in signature.iterancestors()):
                raise VerificationError(f"reference {reference.uri!r}: enveloped-signature "
                                        "transform on content that does not contain the "
                                        "signature")
        return covering[0]

    def _candidates(self, signature: etree._Element,
                    at: datetime) -> list[tuple[Any, x509.Certificate | None]]:
        """Keys to try: the carried certificates we trust, or else the pinned keys."""
        carried = _carried_certificates(signature)
        if not carried:
            if not self.keys:
                raise PolicyError("the document carries no X509Certificate and no key is "
                                  "pinned; a key carried in KeyValue is never trusted")
            return self.keys
        trusted: list[tuple[Any, x509.Certificate | None]] = \
            [(public_key_of(c), c) for c in carried if self._trusts(c, at)]
        if not trusted:
            names = "; ".join(c.subject.rfc4514_string() for c in carried)
            raise PolicyError(f"certificate {names} is not trusted (not pinned, not issued "
                              "by a pinned CA, or outside its validity)")
        return trusted

    def _trusts(self, cert: x509.Certificate, at: datetime) -> bool:
        if _spki(public_key_of(cert)) in self._pinned:
            return True  # pinned: trusted as long as it is pinned (rotation keeps old ones)
        return cert.not_valid_before_utc <= at <= cert.not_valid_after_utc \
            and _may_sign(cert) and any(_issued_by(cert, ca) for ca in self.ca)


def _signed_info(signature: etree._Element) -> etree._Element:
    children = [c for c in signature if isinstance(c.tag, str)]
    names = [etree.QName(c).localname if c.tag.startswith(Q) else c.tag for c in children]
    if names[:2] != ["SignedInfo", "SignatureValue"] or \
            any(n not in ("KeyInfo", "Object") for n in names[2:]) or names.count("KeyInfo") > 1:
        raise VerificationError(f"ds:Signature has an unexpected structure: {names}")
    return children[0]


def _references(signed_info: etree._Element) -> list[Reference]:
    found = signed_info.findall(Q + "Reference")
    if not 1 <= len(found) <= MAX_REFERENCES:
        raise PolicyError(f"{len(found)} references: between 1 and {MAX_REFERENCES}")
    return [read_reference(r) for r in found]


def _verify_value(candidates: list[tuple[Any, x509.Certificate | None]], method: str,
                  value: bytes, signed: bytes) -> x509.Certificate | None:
    error = VerificationError("no trusted key")
    for key, certificate in candidates:
        try:
            verify_raw(key, method, value, signed)
            return certificate
        except VerificationError as exc:
            error = exc
    raise VerificationError(f"signature value: {error}")


def _check_digests(signature: etree._Element, references: list[Reference],
                   targets: list[etree._Element]) -> list[bytes]:
    octets = []
    for reference, target in zip(references, targets, strict=True):
        data = digest_input(target, signature, reference)
        if not hmac.compare_digest(digest(reference.digest_method, data),
                                   reference.digest_value):
            raise VerificationError(f"digest mismatch for reference {reference.uri!r}: the "
                                    "signed content was altered")
        octets.append(data)
    return octets


def _carried_certificates(signature: etree._Element) -> list[x509.Certificate]:
    elements = signature.findall(f"{Q}KeyInfo/{Q}X509Data/{Q}X509Certificate")
    if len(elements) > MAX_CERTIFICATES:
        raise PolicyError(f"{len(elements)} certificates in KeyInfo: at most {MAX_CERTIFICATES}")
    try:
        return [x509.load_der_x509_certificate(b64(e.text, "X509Certificate")) for e in elements]
    except ValueError:
        raise VerificationError("an X509Certificate in KeyInfo cannot be read") from None


def _spki(key: Any) -> bytes:
    return bytes(key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo))


def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    if cert.issuer != ca.subject:
        return False
    if gost_bits(ca):
        return gost.issued_by(cert.public_bytes(serialization.Encoding.DER), public_key_of(ca))
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _may_sign(cert: x509.Certificate) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return usage.digital_signature or usage.content_commitment
