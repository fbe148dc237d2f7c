"""Verification of what we receive, under a strict policy.

- trust only pinned certificates or public keys, or certificates issued by pinned CAs; a key or
  certificate carried in the document is never trusted by itself;
- SHA-1, MD5 and DSA are refused; only enveloped-signature and C14N transforms; same-document
  references only; a DOCTYPE is refused;
- the signature must cover the document element (URI "" or the root's Id), or, for an enveloping
  signature (Signature as the root), its Object; anything else is signature wrapping;
- the caller gets back only what was digested, parsed again from the signed bytes.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from lxml import etree

from signing.algorithms import (
    C14N_10,
    C14N_METHODS,
    DS,
    ENVELOPED,
    digest,
    refuse_weak,
    verify_raw,
)
from signing.errors import PolicyError, VerificationError

_Q = f"{{{DS}}}"
_ID_ATTRS = ("Id", "ID", "id")


@dataclass(frozen=True)
class Verified:
    element: etree._Element  # what the signature covers, re-parsed from the digested bytes
    certificate: x509.Certificate | None
    signature_method: str


def _safe_parse(document: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as exc:
        raise VerificationError(f"not well-formed XML: {exc.msg}") from None
    if root.getroottree().docinfo.doctype or root.getroottree().docinfo.internalDTD:
        raise PolicyError("documents with a DOCTYPE are refused")
    return root


def _b64(text: str | None, what: str) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError(f"{what} is not base64") from None


def _c14n(element: etree._Element, method: str) -> bytes:
    if method not in C14N_METHODS:
        raise PolicyError(f"canonicalization {method} is not allowed")
    exclusive, comments = C14N_METHODS[method]
    return etree.tostring(_detached(element), method="c14n", exclusive=exclusive,
                          with_comments=comments)


def _detached(element: etree._Element) -> etree._Element:
    """A copy of a subtree as the root of its own document, declaring every namespace in scope.

    libxml2 canonicalizes a subtree whose default namespace is declared on an ancestor with
    spurious xmlns="" on the children; a detached copy canonicalizes as the specification says.
    """
    if element.getparent() is None:
        return element
    clone = etree.Element(element.tag, attrib=dict(element.attrib), nsmap=element.nsmap)
    clone.text = element.text
    for child in element:
        clone.append(copy.deepcopy(child))
    return clone


class Verifier:
    def __init__(self, trusted: Iterable[x509.Certificate] = (), *,
                 public_keys: Iterable[Any] = (), ca: Iterable[x509.Certificate] = ()) -> None:
        self.trusted = list(trusted)
        self.ca = list(ca)
        self.keys = [c.public_key() for c in self.trusted] + list(public_keys)
        if not self.keys and not self.ca:
            raise ValueError("pin at least one certificate, public key or CA")

    def verify(self, document: bytes, at: datetime | None = None) -> Verified:
        root = _safe_parse(document)
        # The document's own signature is the root or a child of the root; signatures deeper
        # down belong to embedded documents (e.g. declarations inside a batch) and are theirs.
        signatures = [s for s in root.iter(_Q + "Signature")
                      if s is root or s.getparent() is root]
        if not signatures:
            raise VerificationError("the document element carries no ds:Signature")
        if len(signatures) > 1:
            raise PolicyError("more than one ds:Signature on the document element: refused "
                              "(possible wrapping)")
        signature = signatures[0]
        signed_info = signature.find(_Q + "SignedInfo")
        if signed_info is None:
            raise VerificationError("ds:Signature has no SignedInfo")
        method = self._attr(signed_info, "SignatureMethod")
        refuse_weak(method, "signature method")
        c14n_method = self._attr(signed_info, "CanonicalizationMethod")
        verify_raw_check = _c14n(signed_info, c14n_method)  # also checks the method is allowed
        covered = self._check_references(root, signature, signed_info)
        value = _b64(signature.findtext(_Q + "SignatureValue"), "SignatureValue")
        certificate = self._verify_key(signature, method, value, verify_raw_check,
                                       at or datetime.now(UTC))
        return Verified(etree.fromstring(covered), certificate, method)

    @staticmethod
    def _attr(parent: etree._Element, name: str) -> str:
        found = parent.find(_Q + name)
        if found is None or not found.get("Algorithm"):
            raise VerificationError(f"SignedInfo lacks {name}")
        return str(found.get("Algorithm"))

    def _check_references(self, root: etree._Element, signature: etree._Element,
                          signed_info: etree._Element) -> bytes:
        references = signed_info.findall(_Q + "Reference")
        if not references:
            raise VerificationError("SignedInfo has no Reference")
        covered = None
        for reference in references:
            method = self._attr(reference, "DigestMethod")
            refuse_weak(method, "digest method")
            target, data = _digest_input(root, signature, reference)
            expected = _b64(reference.findtext(_Q + "DigestValue"), "DigestValue")
            if not hmac.compare_digest(digest(method, data), expected):
                raise VerificationError("digest mismatch: the signed content was altered")
            if _covers(root, signature, target):
                covered = data
        if covered is None:
            raise PolicyError("the signature does not cover the document element "
                              "(signature wrapping)")
        return covered

    def _verify_key(self, signature: etree._Element, method: str, value: bytes,
                    signed: bytes, at: datetime) -> x509.Certificate | None:
        carried = _carried_certificates(signature)
        if carried:
            trusted = [c for c in carried if self._is_trusted(c, at)]
            if not trusted:
                names = "; ".join(c.subject.rfc4514_string() for c in carried)
                raise PolicyError(f"certificate {names} is not trusted "
                                  "(not pinned, not issued by a pinned CA)")
            for cert in trusted[:-1]:
                try:
                    verify_raw(cert.public_key(), method, value, signed)
                    return cert
                except VerificationError:
                    continue
            verify_raw(trusted[-1].public_key(), method, value, signed)
            return trusted[-1]
        for key in self.keys:  # no certificate in the document: try the pinned keys only
            try:
                verify_raw(key, method, value, signed)
                return None
            except VerificationError:
                continue
        raise VerificationError("no pinned key verifies the signature")

    def _is_trusted(self, cert: x509.Certificate, at: datetime) -> bool:
        spki = _spki(cert.public_key())
        if any(_spki(key) == spki for key in self.keys):
            return True
        return any(cert.issuer == ca.subject and _issued_by(cert, ca)
                   and cert.not_valid_before_utc <= at <= cert.not_valid_after_utc
                   for ca in self.ca)


def _spki(key: Any) -> bytes:
    return bytes(key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo))


def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _carried_certificates(signature: etree._Element) -> list[x509.Certificate]:
    found = []
    for element in signature.iterfind(f"{_Q}KeyInfo/{_Q}X509Data/{_Q}X509Certificate"):
        try:
            found.append(x509.load_der_x509_certificate(_b64(element.text, "X509Certificate")))
        except ValueError:
            raise VerificationError("X509Certificate cannot be read") from None
    return found


def _target(root: etree._Element, uri: str) -> etree._Element:
    if uri == "":
        return root
    if not uri.startswith("#") or len(uri) < 2:
        raise PolicyError(f"reference {uri!r} is not a same-document reference")
    found = [e for e in root.iter() if isinstance(e.tag, str)
             and any(e.get(a) == uri[1:] for a in _ID_ATTRS)]
    if len(found) != 1:
        raise PolicyError(f"reference {uri} matches {len(found)} elements (must be one)")
    return found[0]


def _digest_input(root: etree._Element, signature: etree._Element,
                  reference: etree._Element) -> tuple[etree._Element, bytes]:
    target = _target(root, reference.get("URI", ""))
    transforms = [_transform(t) for t in reference.iterfind(f"{_Q}Transforms/{_Q}Transform")]
    enveloped = ENVELOPED in transforms
    c14n = [t for t in transforms if t != ENVELOPED]
    if len(c14n) > 1 or any(t not in C14N_METHODS for t in c14n):
        raise PolicyError(f"transforms {transforms} are not allowed")
    if enveloped and (target is signature or signature not in target.iter(_Q + "Signature")):
        raise VerificationError("enveloped-signature transform on content that does not "
                                "envelop the signature")
    method = c14n[0] if c14n else C14N_10
    if not enveloped:
        return target, _c14n(target, method)
    with _without(signature):
        return target, _c14n(target, method)


class _without:
    """Take the Signature element out of the tree (its tail text stays, as in XPath), and put
    it back afterwards."""

    def __init__(self, signature: etree._Element) -> None:
        self.signature = signature
        parent = signature.getparent()
        assert parent is not None
        self.parent = parent
        self.previous = signature.getprevious()

    def __enter__(self) -> None:
        self.index = self.parent.index(self.signature)
        self.tail = self.signature.tail
        self.saved = self.previous.tail if self.previous is not None else self.parent.text
        self.parent.remove(self.signature)
        if self.tail:
            if self.previous is not None:
                self.previous.tail = (self.saved or "") + self.tail
            else:
                self.parent.text = (self.saved or "") + self.tail

    def __exit__(self, *args: object) -> None:
        if self.previous is not None:
            self.previous.tail = self.saved
        else:
            self.parent.text = self.saved
        self.parent.insert(self.index, self.signature)
        self.signature.tail = self.tail


XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"


def _transform(element: etree._Element) -> str:
    """The transform's algorithm; the one XPath filter accepted is the classic spelling of the
    enveloped-signature transform, not(ancestor-or-self::ds:Signature)."""
    algorithm = element.get("Algorithm", "")
    if algorithm != XPATH:
        return algorithm
    xpath = element.find(_Q + "XPath")
    text = "".join((xpath.text or "").split()) if xpath is not None else ""
    prefix = text.removeprefix("not(ancestor-or-self::").removesuffix(":Signature)")
    if xpath is not None and text != prefix and xpath.nsmap.get(prefix) == DS:
        return ENVELOPED
    raise PolicyError(f"XPath transform {text!r} is not allowed")


def _covers(root: etree._Element, signature: etree._Element, target: etree._Element) -> bool:
    if signature is root:  # enveloping: the content is an Object of this signature
        return target.getparent() is signature and target.tag == _Q + "Object"
    return target is root
