"""Our signatures verify with independent implementations (xmlsec1, signxml) given only the
published certificate, and a one-character change to the signed content fails in each."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidSignature as SignxmlInvalid

from signing import SoftwareSigner, generate_dev_key, sign_enveloped, signed_canonical
from tests.signing.conftest import DECLARATION_NS, xmlsec1
from tests.signing.documents import declaration, tamper

ID_ATTR = [f"{DECLARATION_NS}:Declaration"]


def signed(signer: SoftwareSigner, uri: str) -> bytes:
    """uri "canonical": by Id, written as text by `signed_canonical` (what declarations use)."""
    if uri == "canonical":
        return signed_canonical(declaration(), signer, reference_id="D-42")
    root = sign_enveloped(declaration(with_id=bool(uri)), signer, reference_uri=uri)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


@pytest.mark.parametrize("uri", ["", "#D-42", "canonical"])
def test_xmlsec1_accepts_ours_and_refuses_a_tampered_copy(
        signer: SoftwareSigner, dev_key: tuple[Path, Path], uri: str, tmp_path: Path) -> None:
    document = signed(signer, uri)
    accepted = xmlsec1(document, dev_key[1], tmp_path, ID_ATTR)
    assert accepted.returncode == 0, accepted.stderr
    refused = xmlsec1(tamper(document), dev_key[1], tmp_path, ID_ATTR)
    assert refused.returncode != 0


@pytest.mark.parametrize("uri", ["", "#D-42", "canonical"])
def test_signxml_accepts_ours_and_refuses_a_tampered_copy(
        signer: SoftwareSigner, dev_key: tuple[Path, Path], uri: str) -> None:
    document = signed(signer, uri)
    cert = dev_key[1].read_text()
    result = XMLVerifier().verify(document, x509_cert=cert)
    assert etree.QName(result.signed_xml).localname == "Declaration"
    with pytest.raises(SignxmlInvalid):
        XMLVerifier().verify(tamper(document), x509_cert=cert)


def test_xmlsec1_refuses_ours_against_another_certificate(
        signer: SoftwareSigner, tmp_path: Path) -> None:
    _, other = generate_dev_key("ecdsa-p256", tmp_path / "other")
    assert xmlsec1(signed(signer, ""), other, tmp_path).returncode != 0


def test_signature_written_first_verifies_everywhere_even_after_a_quoted_gt(
        signer: SoftwareSigner, dev_key: tuple[Path, Path], tmp_path: Path) -> None:
    """`first=True` (a batch): the signature is the first child, after a start tag whose
    attribute values hold '>' and '"' (C14N escapes the quote, not the '>')."""
    from signing import Verifier, load_certificate

    root = declaration()
    root.set("note", 'a > b "quoted"')
    document = signed_canonical(root, signer, reference_id="D-42", first=True)
    parsed = etree.fromstring(document)
    assert parsed[0].tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
    assert parsed.get("note") == 'a > b "quoted"'
    Verifier([load_certificate(dev_key[1])]).verify(document)
    assert xmlsec1(document, dev_key[1], tmp_path, ID_ATTR).returncode == 0
    XMLVerifier().verify(document, x509_cert=dev_key[1].read_text())
    assert xmlsec1(tamper(document), dev_key[1], tmp_path, ID_ATTR).returncode != 0
