"""Our signatures verify with independent implementations (xmlsec1, signxml) using only the
published certificate, and a one-character change breaks verification in all of them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidSignature as SignxmlInvalid

from signing import VerificationError, Verifier, load_certificate, sign_enveloped

DOC = ('<Declaration xmlns="urn:customs:declaration:generic:1" Id="D-42" profile="generic-1">'
       '<DeclarationId>42</DeclarationId>\n  <Consignee><Name>Иван Петров</Name></Consignee>'
       '<Note a="1" b="&amp;&lt;">text &amp; more</Note></Declaration>')
XMLSEC = shutil.which("xmlsec1")


def signed(signer, uri: str) -> bytes:  # type: ignore[no-untyped-def]
    root = etree.fromstring(DOC.encode())
    if not uri:
        del root.attrib["Id"]
    sign_enveloped(root, signer, reference_uri=uri)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def xmlsec_verify(document: bytes, cert: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    if XMLSEC is None:
        pytest.fail("xmlsec1 is missing: install the Debian package xmlsec1 (scripts/setup.sh)")
    path = tmp_path / "doc.xml"
    path.write_bytes(document)
    return subprocess.run(
        [XMLSEC, "--verify", "--pubkey-cert-pem", str(cert), "--enabled-key-data", "key-name",
         "--enabled-reference-uris", "empty,same-doc",
         "--id-attr:Id", "urn:customs:declaration:generic:1:Declaration", str(path)],
        capture_output=True, text=True, timeout=30)


def tamper(document: bytes) -> bytes:
    """Change one character of the signed content."""
    assert b"text &amp; more" in document
    return document.replace(b"text &amp; more", b"text &amp; mors", 1)


@pytest.mark.parametrize("uri", ["", "#D-42"])
def test_xmlsec1_accepts_ours_and_refuses_a_tampered_copy(signer, dev_key, uri, tmp_path):
    document = signed(signer, uri)
    ok = xmlsec_verify(document, dev_key[1], tmp_path)
    assert ok.returncode == 0, ok.stderr
    bad = xmlsec_verify(tamper(document), dev_key[1], tmp_path)
    assert bad.returncode != 0


@pytest.mark.parametrize("uri", ["", "#D-42"])
def test_signxml_accepts_ours_and_refuses_a_tampered_copy(signer, dev_key, uri):
    document = signed(signer, uri)
    cert = dev_key[1].read_text()
    result = XMLVerifier().verify(document, x509_cert=cert)
    assert etree.QName(result.signed_xml).localname == "Declaration"
    with pytest.raises(SignxmlInvalid):
        XMLVerifier().verify(tamper(document), x509_cert=cert)


@pytest.mark.parametrize("uri", ["", "#D-42"])
def test_our_verifier_accepts_ours_and_refuses_a_tampered_copy(signer, dev_key, uri):
    document = signed(signer, uri)
    verifier = Verifier([load_certificate(dev_key[1])])
    verified = verifier.verify(document)
    assert verified.element.findtext("{*}Note") == "text & more"
    assert verified.element.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is None
    with pytest.raises(VerificationError, match="digest mismatch"):
        verifier.verify(tamper(document))


def test_a_changed_signature_value_fails(signer, dev_key):
    document = signed(signer, "")
    root = etree.fromstring(document)
    value = root.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    value.text = ("B" if value.text[0] == "A" else "A") + value.text[1:]
    with pytest.raises(VerificationError):
        Verifier([load_certificate(dev_key[1])]).verify(etree.tostring(root))


def test_ecdsa_value_is_r_concat_s_not_der(keydir):
    from signing import generate_dev_key, load_software_signer

    signer = load_software_signer(*generate_dev_key("ecdsa-p256", keydir / "rs"))
    root = sign_enveloped(etree.fromstring(b"<a/>"), signer)
    import base64

    value = base64.b64decode(root.findtext(".//{*}SignatureValue"))
    assert len(value) == 64  # 32-byte r, 32-byte s; a DER SEQUENCE would be 70-72 bytes


@pytest.mark.parametrize("uri", ["", "#D-42"])
def test_prepared_signed_info_is_exactly_its_canonical_form(signer, uri):
    """We sign precomputed text; it must equal what any verifier canonicalizes."""
    root = etree.fromstring(etree.tostring(etree.fromstring(signed(signer, uri))))
    signed_info = root.find(".//{http://www.w3.org/2000/09/xmldsig#}SignedInfo")
    canonical = etree.tostring(signed_info, method="c14n", exclusive=True)
    from signing.sign import _signed_info_c14n

    head, tail = _signed_info_c14n(signer.method, uri)
    digest = signed_info.findtext(".//{http://www.w3.org/2000/09/xmldsig#}DigestValue")
    assert canonical == head + digest.encode() + tail
