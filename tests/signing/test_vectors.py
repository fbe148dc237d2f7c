"""Our verifier over every signed document in ../shared/xmldsig-vectors, with the outcome its
README lists under a strict policy (SHA-2 only, keys pinned out of band, the reference covering
the document element), and our reading for the few files the README does not list."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from lxml import etree

from signing import PolicyError, VerificationError, Verifier
from signing.algorithms import ED25519, verify_raw
from signing.c14n import canonicalize
from tests.signing.conftest import DS, shared

SX = "signxml-aleksey-enveloped"
W3C = "w3c-xmldsig11-interop-2012"
AL = "xmlsec-aleksey-xmldsig-01"
MERLIN = "merlin-xmldsig-twenty-three"
ED = "santuario-eddsa"
SX_CA = {"ca": [f"{SX}/cacert.pem"]}
RSA_KEY = {"keys": [f"{W3C}/rsa-key-pubkey.pem"]}
P256_KEY = {"keys": [f"{W3C}/p256-key-pubkey.pem"]}
ED_CERT = {"certs": [f"{ED}/envelopingSignatureEd25519-embedded-cert.pem"]}

# (vector, pinned material, expected: "valid" | "invalid" | "policy", why)
CASES: list[tuple[str, dict[str, list[str]], str, str]] = [
    *[(f"{SX}/enveloped-sha256-rsa-sha256-test-{n}.xml", SX_CA, "valid", "README")
      for n in range(1, 9)],
    (f"{SX}/invalid_enveloped_transform.xml", SX_CA, "invalid", "README: Signature is the root"),
    (f"{W3C}/signature-enveloping-p256_sha256.xml", P256_KEY, "valid", "README"),
    (f"{W3C}/signature-enveloping-sha256-rsa-sha256.xml", RSA_KEY, "valid", "README"),
    (f"{W3C}/signature-enveloping-sha256-rsa-sha256.xml", P256_KEY, "invalid",
     "README: wrong key"),
    (f"{W3C}/signature-enveloping-rsa-sha256.xml", RSA_KEY, "policy", "README: SHA-1 digest"),
    *[(f"{MERLIN}/{name}", RSA_KEY, "policy", "README: DSA-SHA1 / RSA-SHA1")
      for name in ("signature-enveloped-dsa.xml", "signature-enveloping-rsa.xml",
                   "signature-x509-crt.xml")],
    (f"{AL}/enveloped-sha256-ecdsa-sha256-with-asn1.xml",
     {"keys": [f"{AL}/ec-prime256v1-pubkey.pem"]}, "invalid", "README: DER, not r||s"),
    (f"{AL}/enveloping-sha256-ecdsa-sha256_padded.xml",
     {"certs": [f"{AL}/enveloping-sha256-ecdsa-sha256_padded-embedded-cert.pem"]}, "invalid",
     "README: zero-padded r||s, a strict verifier may reject it; we do"),
    # README: valid / invalid Ed25519, but both digest with SHA-1, which the same README's
    # strict policy refuses; test_ed25519_vectors_differ_as_the_readme_says shows the rest.
    (f"{ED}/envelopingSignatureEd25519.xml", ED_CERT, "policy", "SHA-1 digest"),
    (f"{ED}/envelopingInvalidSignatureEd25519.xml", ED_CERT, "policy", "SHA-1 digest"),
    # Not in the README: our reading.
    (f"{AL}/enveloped-sha256-ecdsa-sha256.xml", {"keys": [f"{AL}/ec-prime256v1-pubkey.pem"]},
     "valid", "inclusive C14N, XPath spelling of enveloped-signature"),
    (f"{AL}/enveloped-sha256-eddsa-ed25519.xml", {"keys": [f"{AL}/eddsa-ed25519-pubkey.pem"]},
     "valid", "Ed25519 with SHA-256 digest"),
    (f"{AL}/enveloped-x509-digest-sha256.xml", {"certs": [f"{AL}/rsa-4096-cert.pem"]}, "valid",
     "X509Digest only: the pinned certificate's key"),
    (f"{AL}/enveloped-ecdsa-java-bug.xml",
     {"certs": [f"{AL}/enveloped-ecdsa-java-bug-embedded-cert.pem"]}, "invalid",
     "P-521 r||s of 130 bytes instead of 132 (xmlsec1 tolerates it)"),
]


def _verifier(pinned: dict[str, list[str]]) -> Verifier:
    def cert(name: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate(shared("xmldsig-vectors", name).read_bytes())

    def key(name: str) -> Any:
        return load_pem_public_key(shared("xmldsig-vectors", name).read_bytes())

    return Verifier([cert(c) for c in pinned.get("certs", [])],
                    public_keys=[key(k) for k in pinned.get("keys", [])],
                    ca=[cert(c) for c in pinned.get("ca", [])], allow_enveloping=True)


def test_every_vector_has_a_case() -> None:
    folder = shared("xmldsig-vectors")
    assert (folder / "README.md").is_file(), f"{folder} lacks its README"
    present = {str(p.relative_to(folder)) for p in folder.glob("*/*.xml")}
    assert present == {case[0] for case in CASES}


@pytest.mark.parametrize(("vector", "pinned", "expected", "why"), CASES,
                         ids=[f"{c[0].split('/')[-1]}-{c[2]}" for c in CASES])
def test_vector(vector: str, pinned: dict[str, list[str]], expected: str, why: str) -> None:
    document = shared("xmldsig-vectors", vector).read_bytes()
    verifier = _verifier(pinned)
    if expected == "valid":
        verified = verifier.verify(document)
        assert verified.element is not None and verified.data, why
    elif expected == "policy":
        with pytest.raises(PolicyError):
            verifier.verify(document)
    else:
        with pytest.raises(VerificationError) as caught:
            verifier.verify(document)
        assert not isinstance(caught.value, PolicyError), f"{why}: {caught.value}"


def test_ed25519_vectors_differ_as_the_readme_says() -> None:
    """Outside our policy (SHA-1), by hand: both carry the same SignedInfo and a valid Ed25519
    signature of it; only the valid one's content matches the SHA-1 digest."""
    cert = x509.load_pem_x509_certificate(
        shared("xmldsig-vectors", ED, "envelopingSignatureEd25519-embedded-cert.pem").read_bytes())
    matches = []
    for name in ("envelopingSignatureEd25519.xml", "envelopingInvalidSignatureEd25519.xml"):
        root = etree.fromstring(shared("xmldsig-vectors", ED, name).read_bytes())
        signed_info = root.find(f"{DS}SignedInfo")
        value = "".join(root.findtext(f"{DS}SignatureValue").split())
        verify_raw(cert.public_key(), ED25519, base64.b64decode(value),
                   canonicalize(signed_info, "http://www.w3.org/2001/10/xml-exc-c14n#"))
        assertion = root.find(".//Assertion[@AssertionID='foo']")
        octets = canonicalize(assertion, "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
        expected = base64.b64decode(root.findtext(f".//{DS}DigestValue"))
        matches.append(hashlib.sha1(octets).digest() == expected)
    assert matches == [True, False]
