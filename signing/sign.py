"""Enveloped XML-Signature 1.1: exclusive C14N 1.0, SHA-256, RSA-SHA256 or ECDSA-SHA256 (r||s),
the signer's certificate in KeyInfo. Works on an lxml tree in place, with no re-parsing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from lxml import etree

from signing.algorithms import DS, ENVELOPED, EXC_C14N, SHA256, digest
from signing.keys import Signer, check_validity

_NS = {"ds": DS}


def _ds(parent: etree._Element, name: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{DS}}}{name}", attrs)


@lru_cache(maxsize=16)
def _certificate_b64(der: bytes) -> str:
    return base64.b64encode(der).decode()


def sign_enveloped(root: etree._Element, signer: Signer, *, reference_uri: str = "",
                   at: datetime | None = None) -> etree._Element:
    """Append an enveloped ds:Signature covering `root` (URI "" or "#<root Id>")."""
    check_validity(signer.certificate, at or datetime.now(UTC))
    if reference_uri and reference_uri[1:] != root.get("Id"):
        raise ValueError(f"reference {reference_uri} must name the root's Id attribute")
    digest_value = digest(SHA256, etree.tostring(root, method="c14n", exclusive=True))
    signature = _ds(root, "Signature")
    signed_info = _ds(signature, "SignedInfo")
    _ds(signed_info, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _ds(signed_info, "SignatureMethod", Algorithm=signer.method)
    reference = _ds(signed_info, "Reference", URI=reference_uri)
    transforms = _ds(reference, "Transforms")
    _ds(transforms, "Transform", Algorithm=ENVELOPED)
    _ds(transforms, "Transform", Algorithm=EXC_C14N)
    _ds(reference, "DigestMethod", Algorithm=SHA256)
    _ds(reference, "DigestValue").text = base64.b64encode(digest_value).decode()
    value = signer.sign_bytes(etree.tostring(signed_info, method="c14n", exclusive=True))
    _ds(signature, "SignatureValue").text = base64.b64encode(value).decode()
    der = signer.certificate.public_bytes(serialization.Encoding.DER)
    _ds(_ds(_ds(signature, "KeyInfo"), "X509Data"), "X509Certificate").text = \
        _certificate_b64(der)
    return root


def sign_bytes_document(document: bytes, signer: Signer, *, at: datetime | None = None) -> bytes:
    """Parse (safely), sign the document element, serialize."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_blank_text=False)
    root = etree.fromstring(document, parser)
    if root.getroottree().docinfo.doctype:
        raise ValueError("documents with a DOCTYPE are not signed")
    uri = f"#{root.get('Id')}" if root.get("Id") else ""
    sign_enveloped(root, signer, reference_uri=uri, at=at)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
