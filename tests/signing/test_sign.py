"""Signing: round trips for RSA and P-256 with URI "" and "#id", the prepared SignedInfo text,
and what canonicalization must get right (comments, processing instructions)."""

from __future__ import annotations

import base64
from functools import cache

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from signing import (
    ECDSA_SHA256,
    RSA_SHA256,
    SoftwareSigner,
    VerificationError,
    Verifier,
    sign_bytes_document,
    sign_enveloped,
    signed_canonical,
)
from signing.certificates import self_signed
from signing.sign import _signed_info_text, c14n_attribute
from tests.signing.conftest import DS
from tests.signing.documents import declaration, tamper


@pytest.mark.parametrize("uri", ["", "#D-42"])
def test_round_trip(signer: SoftwareSigner, uri: str) -> None:
    root = sign_enveloped(declaration(with_id=bool(uri)), signer, reference_uri=uri)
    document = etree.tostring(root)
    verified = Verifier([signer.certificate]).verify(document)
    assert verified.certificate == signer.certificate
    assert verified.signature_method == signer.algorithm
    assert verified.element.find(f"{DS}Signature") is None
    assert verified.element.findtext("{*}Note") == "text & more"
    with pytest.raises(VerificationError, match="digest mismatch"):
        Verifier([signer.certificate]).verify(tamper(document))


def test_algorithm_follows_the_key(signer: SoftwareSigner, algorithm: str) -> None:
    assert signer.algorithm == (ECDSA_SHA256 if algorithm == "ecdsa-p256" else RSA_SHA256)
    assert signer.method == signer.algorithm  # the earlier name still works


def test_signature_layout(signer: SoftwareSigner) -> None:
    signature = sign_enveloped(declaration(), signer, reference_uri="#D-42")[-1]
    assert [etree.QName(c).localname for c in signature] == \
        ["SignedInfo", "SignatureValue", "KeyInfo"]
    transforms = signature.findall(f".//{DS}Transform")
    assert [t.get("Algorithm") for t in transforms] == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        "http://www.w3.org/2001/10/xml-exc-c14n#"]
    der = base64.b64decode(signature.findtext(f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate"))
    assert der == signer.certificate.public_bytes(Encoding.DER)


def test_ecdsa_value_is_r_concat_s_not_der(p256: SoftwareSigner) -> None:
    for _ in range(20):  # DER would be 70-72 bytes and vary; r||s is always 64
        root = sign_enveloped(etree.fromstring(b"<a/>"), p256)
        assert len(base64.b64decode(root.findtext(f".//{DS}SignatureValue"))) == 64


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")), min_size=1,
               max_size=12) | st.sampled_from(["a&b", 'q"t', "x<y", "t\tab", "n\nl", "c\rr"]))
def test_prepared_signed_info_is_its_canonical_form_for_any_id(identifier: str) -> None:
    """We sign precomputed text around the URI: it must equal what any verifier computes."""
    root = etree.Element("Doc", Id=identifier)
    uri = "#" + identifier
    signer = _in_memory_signer()
    sign_enveloped(root, signer, reference_uri=uri)
    reparsed = etree.fromstring(etree.tostring(root))
    signed_info = reparsed.find(f".//{DS}SignedInfo")
    head, middle, tail = _signed_info_text(signer.algorithm)
    digest = signed_info.findtext(f".//{DS}DigestValue").encode()
    assert etree.tostring(signed_info, method="c14n", exclusive=True) == \
        head + c14n_attribute(uri) + middle + digest + tail


@cache
def _in_memory_signer() -> SoftwareSigner:
    key = ec.generate_private_key(ec.SECP256R1())
    return SoftwareSigner(key, self_signed(key, "hypothesis"))


def test_comments_are_not_signed_so_they_may_change(p256: SoftwareSigner) -> None:
    """URI "" and "#id" select the document without comments (XML-Signature 4.4.3.3)."""
    document = etree.tostring(sign_enveloped(declaration(), p256, reference_uri="#D-42"))
    changed = document.replace(b"rendered by a profile", b"edited later")
    assert Verifier([p256.certificate]).verify(changed).element.findtext("{*}Note")


def test_whole_document_includes_processing_instructions(p256: SoftwareSigner) -> None:
    signed = sign_bytes_document(b'<?xml-stylesheet href="a.xsl"?><D xmlns="urn:d"><V>1</V>'
                                 b"</D>", p256)
    assert signed.count(b"<?xml-stylesheet") == 1
    verifier = Verifier([p256.certificate])
    verifier.verify(signed)
    with pytest.raises(VerificationError, match="digest mismatch"):
        verifier.verify(signed.replace(b"a.xsl", b"b.xsl"))


def test_bytes_in_bytes_out_signs_by_id_when_the_root_has_one(p256: SoftwareSigner) -> None:
    signed = sign_bytes_document(etree.tostring(declaration()), p256)
    assert signed.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b'URI="#D-42"' in signed
    assert Verifier([p256.certificate]).verify(signed).element.get("Id") == "D-42"


@pytest.mark.parametrize(("document", "message"), [
    (b'<!DOCTYPE D [<!ENTITY e "x">]><D>&e;</D>', "DOCTYPE"),
    (b"<D><unclosed></D>", "not well-formed"),
])
def test_bytes_signing_refuses(p256: SoftwareSigner, document: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sign_bytes_document(document, p256)


def test_misuse_is_refused(p256: SoftwareSigner) -> None:
    with pytest.raises(ValueError, match="Id"):
        sign_enveloped(declaration(), p256, reference_uri="#other")
    parent = etree.fromstring(b"<batch><item/></batch>")
    with pytest.raises(ValueError, match="whole document"):
        sign_enveloped(parent[0], p256)
    signed = sign_enveloped(declaration(), p256, reference_uri="#D-42")
    with pytest.raises(ValueError, match="already carries"):
        sign_enveloped(signed, p256, reference_uri="#D-42")


def test_an_element_inside_a_larger_document_is_signed_by_id(p256: SoftwareSigner) -> None:
    batch = etree.fromstring(b'<Batch xmlns="urn:b"><Item Id="i1"><V>1</V></Item></Batch>')
    sign_enveloped(batch[0], p256, reference_uri="#i1")
    verified = Verifier([p256.certificate]).verify(etree.tostring(batch[0]))
    assert verified.element.findtext("{urn:b}V") == "1"


def test_signed_canonical_is_the_tree_signature_written_as_text(signer: SoftwareSigner) -> None:
    """Straight to bytes: verifiable, the element untouched, and (RSA PKCS#1 v1.5 being
    deterministic) the same signed document as signing the tree, once canonicalized."""
    root = declaration()
    before = etree.tostring(root)
    document = signed_canonical(root, signer, reference_id="D-42")
    assert etree.tostring(root) == before
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<Declaration ")
    verified = Verifier([signer.certificate]).verify(document)
    assert verified.element.findtext("{*}Note") == "text & more"
    with pytest.raises(VerificationError, match="digest mismatch"):
        Verifier([signer.certificate]).verify(tamper(document))
    if signer.algorithm == RSA_SHA256:
        tree = sign_enveloped(declaration(), signer, reference_uri="#D-42")
        def canonical(node: etree._Element) -> bytes:  # comments are not signed (see above)
            return etree.tostring(node, method="c14n", exclusive=True, with_comments=False)

        assert canonical(etree.fromstring(document)) == canonical(tree)


def test_signed_canonical_refuses_what_sign_enveloped_refuses(p256: SoftwareSigner) -> None:
    with pytest.raises(ValueError, match="must be '#' \\+ the element's Id"):
        signed_canonical(declaration(), p256, reference_id="D-43")
    signed = sign_enveloped(declaration(), p256, reference_uri="#D-42")
    with pytest.raises(ValueError, match="already carries"):
        signed_canonical(signed, p256, reference_id="D-42")


def test_signed_canonical_takes_the_callers_canonical_form(signer: SoftwareSigner) -> None:
    """A renderer that wrote the canonical form itself passes it: the same signed document as
    when the tree is canonicalized here. The document is written from that text, so a text
    that is the element but not in canonical form (a character reference C14N would not write)
    gives a signature no verifier accepts: the caller's promise, checked by its tests."""
    root = declaration()
    canonical = etree.tostring(root, method="c14n", exclusive=True, with_comments=False)
    given = signed_canonical(root, signer, reference_id="D-42", canonical=canonical)
    assert Verifier([signer.certificate]).verify(given).element.findtext("{*}Note") == \
        "text & more"
    if signer.algorithm == RSA_SHA256:  # deterministic: byte for byte the same document
        assert given == signed_canonical(root, signer, reference_id="D-42")
    wrong = canonical.replace(b"text &amp; more", b"text &#38; more")
    with pytest.raises(VerificationError, match="digest mismatch"):
        Verifier([signer.certificate]).verify(
            signed_canonical(root, signer, reference_id="D-42", canonical=wrong))
