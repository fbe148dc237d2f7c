"""XML-Signature algorithm identifiers, the accepted ones (an allow-list), and the raw signature
operations behind them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from signing import gost
from signing.errors import PolicyError, VerificationError

DS = "http://www.w3.org/2000/09/xmldsig#"
ENVELOPED = DS + "enveloped-signature"
XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
_MORE = "http://www.w3.org/2001/04/xmldsig-more#"
RSA_SHA256 = _MORE + "rsa-sha256"
ECDSA_SHA256 = _MORE + "ecdsa-sha256"
ED25519 = "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519"
# GOST R 34.10-2012 with GOST R 34.11-2012 and GOST R 34.11-2012 itself, as CryptoPro
# registered them with IANA (draft-smirnov-xmldsig; docs/signing.md says where from).
_CPXMLSEC = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:"
GOST_256 = _CPXMLSEC + "gostr34102012-gostr34112012-256"
GOST_512 = _CPXMLSEC + "gostr34102012-gostr34112012-512"
STREEBOG_256 = _CPXMLSEC + "gostr34112012-256"
STREEBOG_512 = _CPXMLSEC + "gostr34112012-512"

DIGESTS: dict[str, Callable[[bytes], bytes]] = {
    SHA256: lambda data: hashlib.sha256(data).digest(),
    _MORE + "sha384": lambda data: hashlib.sha384(data).digest(),
    "http://www.w3.org/2001/04/xmlenc#sha512": lambda data: hashlib.sha512(data).digest(),
    STREEBOG_256: lambda data: gost.streebog(256, data),
    STREEBOG_512: lambda data: gost.streebog(512, data),
}
# SignatureMethod URI -> (key family, hash); Ed25519 hashes internally.
SIGNATURE_METHODS: dict[str, tuple[str, hashes.HashAlgorithm | None]] = {
    RSA_SHA256: ("rsa", hashes.SHA256()),
    _MORE + "rsa-sha384": ("rsa", hashes.SHA384()),
    _MORE + "rsa-sha512": ("rsa", hashes.SHA512()),
    ECDSA_SHA256: ("ecdsa", hashes.SHA256()),
    _MORE + "ecdsa-sha384": ("ecdsa", hashes.SHA384()),
    _MORE + "ecdsa-sha512": ("ecdsa", hashes.SHA512()),
    ED25519: ("ed25519", None),
    GOST_256: ("gost256", None),  # Streebog inside the GOST engine's signature
    GOST_512: ("gost512", None),
}
# The reference digest that goes with a signature method (SHA-256 unless GOST).
REFERENCE_DIGESTS = {GOST_256: STREEBOG_256, GOST_512: STREEBOG_512}
_WEAK_MARKS = ("sha1", "md5", "#dsa-", "hmac-")


def _refuse(uri: str, what: str, known: dict[str, Any]) -> None:
    if uri in known:
        return
    if any(mark in uri.lower() for mark in _WEAK_MARKS):
        raise PolicyError(f"{what} {uri} is refused: SHA-1, MD5, DSA and HMAC are not accepted")
    raise PolicyError(f"{what} {uri} is not supported")


def check_signature_method(uri: str) -> None:
    """PolicyError unless `uri` is an accepted SignatureMethod."""
    _refuse(uri, "signature method", SIGNATURE_METHODS)


def check_digest_method(uri: str) -> None:
    """PolicyError unless `uri` is an accepted DigestMethod."""
    _refuse(uri, "digest method", DIGESTS)


def digest(uri: str, data: bytes) -> bytes:
    check_digest_method(uri)
    try:
        return DIGESTS[uri](data)
    except gost.GostUnavailable as exc:
        raise VerificationError(f"cannot check GOST here: {exc}") from None


def gost_bits(certificate: x509.Certificate) -> int | None:
    """256 or 512 for a GOST R 34.10-2012 certificate, None for any other."""
    return gost.KEY_OIDS.get(certificate.public_key_algorithm_oid.dotted_string)


def public_key_of(certificate: x509.Certificate) -> Any:
    """The certificate's public key: cryptography's, or the GOST engine's for GOST keys."""
    bits = gost_bits(certificate)
    if bits is None:
        return certificate.public_key()
    der = certificate.public_bytes(serialization.Encoding.DER)
    try:
        return gost.public_key(der, bits)
    except gost.GostUnavailable as exc:
        raise VerificationError(f"cannot check GOST here: {exc}") from None


def ecdsa_der_to_raw(der: bytes, key_size: int) -> bytes:
    """DER (what cryptography returns) -> r||s, each padded to the curve size (XML-DSig 1.1)."""
    r, s = decode_dss_signature(der)
    width = (key_size + 7) // 8
    return r.to_bytes(width, "big") + s.to_bytes(width, "big")


def ecdsa_raw_to_der(raw: bytes, key_size: int) -> bytes:
    """r||s -> DER; the value must be exactly twice the curve size (no DER, no extra padding)."""
    width = (key_size + 7) // 8
    if len(raw) != 2 * width:
        raise VerificationError(
            f"ECDSA signature value must be r||s of {2 * width} bytes, got {len(raw)} "
            "(DER-encoded or padded values are not XML-Signature)")
    return encode_dss_signature(int.from_bytes(raw[:width], "big"),
                                int.from_bytes(raw[width:], "big"))


def _verifies_as(public_key: Any, family: str) -> bool:
    """Keys whose verify(signature, data) takes the XML-Signature value as it is."""
    if isinstance(public_key, gost.GostPublicKey):
        return family == f"gost{public_key.bits}"
    return family == "ed25519" and isinstance(public_key, ed25519.Ed25519PublicKey)


def verify_raw(public_key: Any, method: str, signature: bytes, data: bytes) -> None:
    """Raise VerificationError unless `signature` over `data` verifies with `public_key`."""
    check_signature_method(method)
    family, hash_ = SIGNATURE_METHODS[method]
    try:
        if family == "rsa" and isinstance(public_key, rsa.RSAPublicKey) and hash_:
            public_key.verify(signature, data, padding.PKCS1v15(), hash_)
        elif family == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey) and hash_:
            der = ecdsa_raw_to_der(signature, public_key.curve.key_size)
            public_key.verify(der, data, ec.ECDSA(hash_))
        elif _verifies_as(public_key, family):
            public_key.verify(signature, data)
        else:
            raise VerificationError(f"a {type(public_key).__name__} cannot verify {method}")
    except InvalidSignature:
        raise VerificationError("the signature value does not verify with the key") from None
