"""What we receive is verified under a strict policy: pinned keys only, no DTD, no wrapping."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from signing import (
    PolicyError,
    VerificationError,
    Verifier,
    generate_dev_key,
    load_certificate,
    load_software_signer,
    sign_enveloped,
)

DS = "{http://www.w3.org/2000/09/xmldsig#}"


@pytest.fixture
def pinned(dev_key):  # type: ignore[no-untyped-def]
    return Verifier([load_certificate(dev_key[1])])


def _signed_root(signer, body: str = "<Amount>10.00</Amount>"):  # type: ignore[no-untyped-def]
    root = etree.fromstring(f'<Order xmlns="urn:o" Id="o1">{body}</Order>'.encode())
    return sign_enveloped(root, signer, reference_uri="#o1")


def test_doctype_is_refused(signer, pinned):
    document = etree.tostring(_signed_root(signer))
    with pytest.raises(PolicyError, match="DOCTYPE"):
        pinned.verify(b'<!DOCTYPE Order [<!ENTITY x "y">]>' + document)


def test_untrusted_certificate_is_refused(signer, keydir):
    other = load_certificate(generate_dev_key("ecdsa-p256", keydir / "other")[1])
    with pytest.raises(PolicyError, match="not trusted"):
        Verifier([other]).verify(etree.tostring(_signed_root(signer)))


def test_key_value_alone_is_never_trusted(signer, keydir):
    """An attacker signs with their own key and carries it in the document: refused."""
    attacker = load_software_signer(*generate_dev_key("ecdsa-p256", keydir / "attacker"))
    root = _signed_root(attacker)
    key_info = root.find(f".//{DS}KeyInfo")
    for child in list(key_info):
        key_info.remove(child)
    etree.SubElement(key_info, f"{DS}KeyValue").text = "attacker key"
    victim = Verifier([signer.certificate])
    with pytest.raises(VerificationError, match="no pinned key"):
        victim.verify(etree.tostring(root))


def test_wrapping_signed_copy_hidden_while_root_changed(signer, pinned):
    """The classic wrapping attack: the signed element moves into a hiding place, a forged
    element with the same Id takes the root's content."""
    original = _signed_root(signer)
    forged = etree.fromstring(b'<Order xmlns="urn:o"><Amount>99999.00</Amount></Order>')
    hidden = etree.SubElement(forged, "{urn:o}Wrapper")
    hidden.append(copy.deepcopy(original))
    forged.append(copy.deepcopy(original.find(f"{DS}Signature")))
    with pytest.raises(VerificationError):
        pinned.verify(etree.tostring(forged))


def test_wrapping_reference_to_a_nested_element_is_rejected(signer, pinned):
    """A valid signature over a nested element does not vouch for the document."""
    inner = etree.fromstring(b'<Item xmlns="urn:o" Id="i1"><Price>1.00</Price></Item>')
    sign_enveloped(inner, signer, reference_uri="#i1")
    outer = etree.fromstring(b'<Order xmlns="urn:o"><Amount>99999.00</Amount></Order>')
    outer.append(inner)
    with pytest.raises(VerificationError, match="carries no ds:Signature"):
        pinned.verify(etree.tostring(outer))
    # the same signature moved up beside the forged content still covers only the Item
    outer.append(inner.find(f"{DS}Signature"))
    with pytest.raises(VerificationError, match="does not envelop the signature"):
        pinned.verify(etree.tostring(outer))


def test_duplicate_ids_are_refused(signer, pinned):
    root = _signed_root(signer)
    etree.SubElement(root, "{urn:o}Extra", Id="o1")
    with pytest.raises(PolicyError, match="matches 2 elements"):
        pinned.verify(etree.tostring(root))


def test_two_signatures_are_refused(signer, pinned):
    root = _signed_root(signer)
    root.append(copy.deepcopy(root.find(f"{DS}Signature")))
    with pytest.raises(PolicyError, match="more than one"):
        pinned.verify(etree.tostring(root))


def test_caller_gets_only_the_signed_content(signer, pinned):
    root = _signed_root(signer, "<Amount>10.00</Amount>")
    document = etree.tostring(root).replace(b"</Order>", b"<!-- added --></Order>")
    verified = pinned.verify(document)
    assert etree.tostring(verified.element) == \
        b'<Order xmlns="urn:o" Id="o1"><Amount>10.00</Amount></Order>'


def test_external_reference_is_refused(signer, pinned):
    root = _signed_root(signer)
    root.find(f".//{DS}Reference").set("URI", "http://127.0.0.1:5000/x")
    with pytest.raises(PolicyError, match="same-document"):
        pinned.verify(etree.tostring(root))


def test_xslt_transform_is_refused(signer, pinned):
    root = _signed_root(signer)
    transforms = root.find(f".//{DS}Transforms")
    etree.SubElement(transforms, f"{DS}Transform",
                     Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116")
    with pytest.raises(PolicyError, match="not allowed"):
        pinned.verify(etree.tostring(root))


def test_a_verifier_must_pin_something():
    with pytest.raises(ValueError, match="pin at least one"):
        Verifier([])
