"""The Signer interface and the self-test every signer passes when it is loaded. Its own
module so that the key loaders (signing/keys.py, signing/gost_keys.py, signing/pkcs11.py) build
on it without importing each other."""

from __future__ import annotations

from abc import ABC, abstractmethod

from cryptography import x509

from signing.algorithms import public_key_of, verify_raw
from signing.errors import KeyLoadError, VerificationError


class Signer(ABC):
    """What signs: a private key somewhere (file, HSM, a GOST provider) and its certificate.

    An implementation gives the SignatureMethod URI (`algorithm`), the X.509 certificate that
    goes into KeyInfo, and `sign(data)`: the raw SignatureValue as XML-Signature wants it
    (PKCS#1 v1.5 for RSA, r||s of fixed width for ECDSA, s||r for GOST R 34.10-2012).
    """

    @property
    @abstractmethod
    def algorithm(self) -> str: ...

    @property
    @abstractmethod
    def certificate(self) -> x509.Certificate: ...

    @abstractmethod
    def sign(self, data: bytes) -> bytes: ...

    @property
    def method(self) -> str:
        """The earlier name of `algorithm`, kept for callers written against it."""
        return self.algorithm

    def sign_bytes(self, data: bytes) -> bytes:
        """The earlier name of `sign`, kept for callers written against it."""
        return self.sign(data)


def self_test(signer: Signer) -> None:
    """Sign a probe and verify it with the certificate: KeyLoadError if key and certificate do
    not belong together (or the signature format is wrong)."""
    probe = b"signing self-test"
    try:
        verify_raw(public_key_of(signer.certificate), signer.algorithm, signer.sign(probe),
                   probe)
    except VerificationError as exc:
        raise KeyLoadError(f"the private key does not match the certificate ({exc})") from None
