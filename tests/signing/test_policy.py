"""What we receive is verified under a strict policy: pinned keys only, SHA-2 only, no DTD, and
a signature that covers the document element (signature wrapping is rejected)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree

from signing import (
    GOST_256,
    PolicyError,
    Signer,
    SoftwareSigner,
    VerificationError,
    Verifier,
    generate_dev_key,
    load_certificate,
    load_software_signer,
    sign_enveloped,
)
from signing.algorithms import ED25519, check_signature_method
from signing.certificates import self_signed
from tests.signing.conftest import DS, openssl_gost, require_gost_engine, shared

MORE = "http://www.w3.org/2001/04/xmldsig-more#"


@pytest.fixture(params=["p256", "gost256"])
def key(request: pytest.FixtureRequest) -> Signer:
    """Every policy holds for ECDSA and GOST R 34.10-2012 signatures alike."""
    return request.getfixturevalue(str(request.param))  # type: ignore[no-any-return]


def order(signer: Signer, amount: str = "10.00") -> etree._Element:
    root = etree.fromstring(f'<Order xmlns="urn:o" Id="o1"><Amount>{amount}</Amount>'
                            "</Order>".encode())
    return sign_enveloped(root, signer, reference_uri="#o1")


def edited(root: etree._Element, change: Callable[[etree._Element], None]) -> bytes:
    change(root)
    return bytes(etree.tostring(root))


def _set(path: str, attribute: str, value: str) -> Callable[[etree._Element], None]:
    return lambda root: root.find(path).set(attribute, value)


@pytest.mark.parametrize(("path", "algorithm", "message"), [
    (f".//{DS}DigestMethod", "http://www.w3.org/2000/09/xmldsig#sha1", "SHA-1"),
    (f".//{DS}SignatureMethod", "http://www.w3.org/2000/09/xmldsig#rsa-sha1", "SHA-1"),
    (f".//{DS}SignatureMethod", MORE + "ecdsa-sha1", "SHA-1"),
    (f".//{DS}SignatureMethod", "http://www.w3.org/2000/09/xmldsig#dsa-sha1", "DSA"),
    (f".//{DS}SignatureMethod", "http://www.w3.org/2009/xmldsig11#dsa-sha256", "DSA"),
    (f".//{DS}SignatureMethod", MORE + "rsa-md5", "MD5"),
    (f".//{DS}SignatureMethod", "http://www.w3.org/2000/09/xmldsig#hmac-sha1", "HMAC"),
    (f".//{DS}Transform[2]", "http://www.w3.org/TR/1999/REC-xslt-19991116", "not allowed"),
    (f".//{DS}CanonicalizationMethod", "urn:made-up", "not allowed"),
    (f".//{DS}Reference", "URI", "not a same-document"),
])
def test_weak_or_unknown_algorithms_are_refused_by_policy(
        key: Signer, path: str, algorithm: str, message: str) -> None:
    attribute, value = ("URI", "http://127.0.0.1:5000/x") if algorithm == "URI" else \
        ("Algorithm", algorithm)
    with pytest.raises(PolicyError, match=message):
        Verifier([key.certificate]).verify(edited(order(key), _set(path, attribute, value)))


def test_ed25519_is_not_mistaken_for_dsa() -> None:
    check_signature_method(ED25519)  # "eddsa-" once matched a DSA pattern


def test_doctype_is_refused(key: Signer) -> None:
    document = etree.tostring(order(key))
    for doctype in (b'<!DOCTYPE Order [<!ENTITY x "y">]>', b'<!DOCTYPE Order SYSTEM "x.dtd">'):
        with pytest.raises(PolicyError, match="DOCTYPE"):
            Verifier([key.certificate]).verify(doctype + document)


def test_every_xml_attack_payload_is_refused(key: Signer) -> None:
    payloads = sorted(shared("xml-attacks").glob("*.xml"))
    assert len(payloads) > 20
    for path in payloads:
        with pytest.raises(VerificationError):
            Verifier([key.certificate]).verify(path.read_bytes())


def test_untrusted_certificate_is_refused(key: Signer, signer: Signer) -> None:
    with pytest.raises(PolicyError, match="not trusted"):
        Verifier([signer.certificate]).verify(etree.tostring(order(key)))


def _attacker(like: Signer, folder: Path) -> Signer:
    """A key of the same kind as `like`, made by the attacker, with its own certificate."""
    if like.algorithm == GOST_256:
        return load_software_signer(*generate_dev_key("gost2012-256", folder, "attacker"))
    key = ec.generate_private_key(ec.SECP256R1())
    return SoftwareSigner(key, self_signed(key, "attacker"))


def _key_value_only(root: etree._Element) -> None:
    key_info = root.find(f".//{DS}KeyInfo")
    for child in list(key_info):
        key_info.remove(child)
    etree.SubElement(key_info, f"{DS}KeyValue").text = "the attacker's key"


def test_a_key_carried_in_key_value_is_never_trusted(key: Signer, tmp_path: Path) -> None:
    document = edited(order(_attacker(key, tmp_path)), _key_value_only)
    with pytest.raises(VerificationError, match="does not verify"):
        Verifier([key.certificate]).verify(document)
    with pytest.raises(PolicyError, match="KeyValue is never trusted"):
        Verifier(ca=[key.certificate]).verify(document)


def test_wrapping_signed_original_hidden_in_a_wrapper_while_root_changed(
        key: Signer) -> None:
    """The signed element moves into a hiding place; a forged root takes its place and the
    signature, whose "#o1" now finds only the hidden copy."""
    original = order(key)
    forged = etree.fromstring(b'<Order xmlns="urn:o"><Amount>99999.00</Amount></Order>')
    etree.SubElement(forged, "{urn:o}Wrapper").append(copy.deepcopy(original))
    forged.append(copy.deepcopy(original.find(f"{DS}Signature")))
    with pytest.raises(PolicyError, match="wrapping"):
        Verifier([key.certificate]).verify(etree.tostring(forged))


def test_wrapping_signed_copy_hidden_in_a_signature_object(key: Signer) -> None:
    """The signed element hides in a ds:Object of the Signature, the root says 99999."""
    original = order(key)
    signature = original.find(f"{DS}Signature")
    hidden = copy.deepcopy(original)
    hidden.remove(hidden.find(f"{DS}Signature"))
    forged = etree.fromstring(b'<Order xmlns="urn:o"><Amount>99999.00</Amount></Order>')
    moved = copy.deepcopy(signature)
    etree.SubElement(moved, f"{DS}Object").append(hidden)
    forged.append(moved)
    with pytest.raises(VerificationError):
        Verifier([key.certificate]).verify(etree.tostring(forged))
    forged.set("Id", "o1")  # and with the Id copied to the forged root: two elements match
    with pytest.raises(PolicyError, match="matches 2 elements"):
        Verifier([key.certificate]).verify(etree.tostring(forged))


def test_signature_as_root_is_refused_unless_enveloping_is_allowed(
        key: Signer) -> None:
    """An enveloping signature over its own Object: the content is not the document."""
    inner = etree.fromstring(b'<Object xmlns="http://www.w3.org/2000/09/xmldsig#" Id="obj">'
                             b'<Order xmlns="urn:o"><Amount>1</Amount></Order></Object>')
    signature = order(key).find(f"{DS}Signature")
    signature.append(inner)
    with pytest.raises(PolicyError, match="enveloping"):
        Verifier([key.certificate]).verify(etree.tostring(signature))


def test_a_signature_over_a_nested_element_does_not_vouch_for_the_document(
        key: Signer) -> None:
    item = etree.fromstring(b'<Item xmlns="urn:o" Id="i1"><Price>1.00</Price></Item>')
    sign_enveloped(item, key, reference_uri="#i1")
    outer = etree.fromstring(b'<Order xmlns="urn:o"><Amount>99999.00</Amount></Order>')
    outer.append(item)
    with pytest.raises(VerificationError, match="carries no ds:Signature"):
        Verifier([key.certificate]).verify(etree.tostring(outer))
    outer.append(item.find(f"{DS}Signature"))  # moved up beside the forged content
    with pytest.raises(PolicyError, match="wrapping"):
        Verifier([key.certificate]).verify(etree.tostring(outer))


def test_two_signatures_on_the_document_element_are_refused(key: Signer) -> None:
    root = order(key)
    root.append(copy.deepcopy(root.find(f"{DS}Signature")))
    with pytest.raises(PolicyError, match="more than one"):
        Verifier([key.certificate]).verify(etree.tostring(root))


def test_an_xpath_other_than_enveloped_is_refused(key: Signer) -> None:
    def xpath(root: etree._Element) -> None:
        transform = root.find(f".//{DS}Transform")
        transform.set("Algorithm", "http://www.w3.org/TR/1999/REC-xpath-19991116")
        etree.SubElement(transform, f"{DS}XPath").text = "self::text()"
    with pytest.raises(PolicyError, match="XPath"):
        Verifier([key.certificate]).verify(edited(order(key), xpath))


def test_the_caller_gets_only_the_signed_content(key: Signer) -> None:
    document = etree.tostring(order(key)).replace(b"</Order>", b"<!-- added --></Order>")
    verified = Verifier([key.certificate]).verify(document)
    assert verified.data == b'<Order xmlns="urn:o" Id="o1"><Amount>10.00</Amount></Order>'
    assert etree.tostring(verified.element) == verified.data


def test_a_verifier_must_pin_something() -> None:
    with pytest.raises(ValueError, match="pin at least one"):
        Verifier([])


def _issue(ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, key: object, *,
           start: datetime, days: int, usage_sign: bool) -> x509.Certificate:
    usage = x509.KeyUsage(digital_signature=usage_sign, content_commitment=False,
                          key_encipherment=not usage_sign, data_encipherment=False,
                          key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leaf")]))
            .issuer_name(ca.subject).public_key(key.public_key())  # type: ignore[attr-defined]
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + timedelta(days=days)).add_extension(usage, critical=True)
            .sign(ca_key, hashes.SHA256()))


@pytest.mark.parametrize(("ago", "usage_sign", "accepted"),
                         [(1, True, True), (1, False, False), (40, True, False)])
def test_a_pinned_ca_vouches_for_valid_signing_certificates_it_issued(
        ago: int, usage_sign: bool, accepted: bool) -> None:
    """Accepted: issued by the pinned CA, valid now, usage allows signing."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = self_signed(ca_key, "test CA", not_before=datetime.now(UTC) - timedelta(days=100))
    key = ec.generate_private_key(ec.SECP256R1())
    start = datetime.now(UTC) - timedelta(days=ago)
    leaf = _issue(ca_key, ca, key, start=start, days=30, usage_sign=usage_sign)
    document = etree.tostring(sign_enveloped(etree.fromstring(b"<a/>"),
                                             SoftwareSigner(key, leaf), at=start))
    if accepted:
        assert Verifier(ca=[ca]).verify(document).certificate == leaf
    else:
        with pytest.raises(PolicyError, match="not trusted"):
            Verifier(ca=[ca]).verify(document)


def _gost_ca(folder: Path, name: str) -> tuple[Path, Path]:
    """A GOST CA made by the openssl command; every CA here has the same name."""
    key, cert = folder / f"{name}.key", folder / f"{name}.pem"
    made = openssl_gost("req", "-x509", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A",
                        "-nodes", "-subj", "/CN=GOST test CA", "-days", "30", "-addext",
                        "basicConstraints=critical,CA:TRUE", "-addext",
                        "keyUsage=critical,keyCertSign", "-keyout", str(key), "-out", str(cert))
    assert made.returncode == 0, made.stderr
    return key, cert


def _gost_leaf(folder: Path, ca: tuple[Path, Path], usage: str) -> Signer:
    key, request, cert = folder / "leaf.key", folder / "leaf.csr", folder / "leaf.pem"
    extensions = folder / "leaf.ext"
    extensions.write_text(f"keyUsage=critical,{usage}\n")
    steps = [("req", "-new", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A", "-nodes",
              "-subj", "/CN=GOST leaf", "-keyout", str(key), "-out", str(request)),
             ("x509", "-req", "-in", str(request), "-CA", str(ca[1]), "-CAkey", str(ca[0]),
              "-set_serial", "7", "-days", "10", "-extfile", str(extensions), "-out", str(cert))]
    for step in steps:
        done = openssl_gost(*step)
        assert done.returncode == 0, done.stderr
    key.chmod(0o600)
    return load_software_signer(key, cert)


@pytest.mark.parametrize(("issuer", "usage", "accepted"), [
    ("ca", "digitalSignature", True), ("ca", "keyEncipherment", False),
    ("impostor", "digitalSignature", False)])
def test_a_pinned_gost_ca_vouches_only_for_signing_certificates_it_signed(
        tmp_path: Path, issuer: str, usage: str, accepted: bool) -> None:
    """The impostor CA has the pinned CA's name: only the GOST signature on the leaf tells."""
    require_gost_engine()
    cas = {name: _gost_ca(tmp_path, name) for name in ("ca", "impostor")}
    leaf = _gost_leaf(tmp_path, cas[issuer], usage)
    document = etree.tostring(order(leaf))
    verifier = Verifier(ca=[load_certificate(cas["ca"][1])])
    if accepted:
        assert verifier.verify(document).certificate == leaf.certificate
    else:
        with pytest.raises(PolicyError, match="not trusted"):
            verifier.verify(document)


def test_a_ca_of_the_other_kind_with_the_same_name_vouches_for_nothing(tmp_path: Path) -> None:
    """An ECDSA CA named like the GOST CA does not vouch for its GOST leaf, nor the GOST CA
    for an ECDSA leaf issued under that name."""
    require_gost_engine()
    gost_ca = _gost_ca(tmp_path, "ca")
    gost_leaf = _gost_leaf(tmp_path, gost_ca, "digitalSignature")
    ecdsa_key = ec.generate_private_key(ec.SECP256R1())
    ecdsa_ca = self_signed(ecdsa_key, "GOST test CA",
                           not_before=datetime.now(UTC) - timedelta(days=1))
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    ecdsa_leaf = _issue(ecdsa_key, ecdsa_ca, leaf_key, start=datetime.now(UTC) - timedelta(
        hours=1), days=2, usage_sign=True)
    for signer, pinned in ((gost_leaf, ecdsa_ca), (SoftwareSigner(leaf_key, ecdsa_leaf),
                                                   load_certificate(gost_ca[1]))):
        with pytest.raises(PolicyError, match="not trusted"):
            Verifier(ca=[pinned]).verify(etree.tostring(order(signer)))
