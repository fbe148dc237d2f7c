"""XML-Signature algorithm identifiers and the raw signature operations behind them."""

from __future__ import annotations

import hashlib
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from signing.errors import PolicyError, VerificationError

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
EXC_C14N_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_10_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
C14N_11 = "http://www.w3.org/2006/12/xml-c14n11"
C14N_11_COMMENTS = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
ED25519 = "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519"

# canonicalization URI -> (exclusive, with comments); C14N 1.1 differs from 1.0 only for xml:*
# attributes, which lxml renders as 1.0 does (documented limitation).
C14N_METHODS = {
    EXC_C14N: (True, False), EXC_C14N_COMMENTS: (True, True),
    C14N_10: (False, False), C14N_10_COMMENTS: (False, True),
    C14N_11: (False, False), C14N_11_COMMENTS: (False, True),
}
DIGESTS = {
    SHA256: hashlib.sha256,
    "http://www.w3.org/2001/04/xmldsig-more#sha384": hashlib.sha384,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashlib.sha512,
}
_HASHES = {RSA_SHA256: hashes.SHA256(), ECDSA_SHA256: hashes.SHA256(),
           "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384(),
           "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512(),
           "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": hashes.SHA384(),
           "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512": hashes.SHA512()}
_WEAK = re.compile(r"sha1|md5|(?<!ec)dsa-", re.IGNORECASE)  # DSA, but not ECDSA


def refuse_weak(uri: str, what: str) -> None:
    if _WEAK.search(uri):
        raise PolicyError(f"{what} {uri} is refused (SHA-1, MD5 and DSA are not accepted)")


def digest(uri: str, data: bytes) -> bytes:
    refuse_weak(uri, "digest method")
    if uri not in DIGESTS:
        raise PolicyError(f"digest method {uri} is not supported")
    return DIGESTS[uri](data).digest()


def signature_method_for(key: object) -> str:
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return RSA_SHA256
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return ECDSA_SHA256
    raise TypeError(f"unsupported key type {type(key).__name__}: use RSA or ECDSA")


def ecdsa_der_to_raw(der: bytes, key_size: int) -> bytes:
    """DER (what cryptography returns) -> r||s, each padded to the curve size (XML-DSig 1.1)."""
    r, s = decode_dss_signature(der)
    width = (key_size + 7) // 8
    return r.to_bytes(width, "big") + s.to_bytes(width, "big")


def software_sign(key: object, method: str, data: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), _HASHES[method])
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return ecdsa_der_to_raw(key.sign(data, ec.ECDSA(_HASHES[method])), key.curve.key_size)
    raise TypeError(f"unsupported key type {type(key).__name__}")


def verify_raw(public_key: object, method: str, signature: bytes, data: bytes) -> None:
    """Raise VerificationError unless `signature` over `data` verifies with `public_key`."""
    refuse_weak(method, "signature method")
    try:
        if method == ED25519 and isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, data)
        elif method not in _HASHES:
            raise PolicyError(f"signature method {method} is not supported")
        elif isinstance(public_key, rsa.RSAPublicKey) and "rsa" in method:
            public_key.verify(signature, data, padding.PKCS1v15(), _HASHES[method])
        elif isinstance(public_key, ec.EllipticCurvePublicKey) and "ecdsa" in method:
            width = (public_key.curve.key_size + 7) // 8
            if len(signature) != 2 * width:
                raise VerificationError(
                    f"ECDSA signature value must be r||s of {2 * width} bytes, "
                    f"got {len(signature)} (DER or padded values are not XML-DSig)")
            der = encode_dss_signature(int.from_bytes(signature[:width], "big"),
                                       int.from_bytes(signature[width:], "big"))
            public_key.verify(der, data, ec.ECDSA(_HASHES[method]))
        else:
            raise VerificationError(f"the key does not fit the signature method {method}")
    except InvalidSignature:
        raise VerificationError("signature value does not verify") from None
