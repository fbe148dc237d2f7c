"""A signer whose private key stays in a PKCS#11 token (an HSM; SoftHSM in tests)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pkcs11 import KeyType, Mechanism, ObjectClass

from signing.algorithms import ECDSA_SHA256, RSA_SHA256
from signing.errors import KeyLoadError


class Pkcs11Signer:
    """Signs through the token. ECDSA on PKCS#11 already yields r||s, as XML-DSig wants."""

    def __init__(self, module: str | Path, token_label: str, key_label: str, pin: str | None,
                 certificate: x509.Certificate) -> None:
        try:
            library = pkcs11.lib(str(module))
            token = library.get_token(token_label=token_label)
            self._session: Any = token.open(user_pin=pin)
        except (pkcs11.exceptions.PKCS11Error, RuntimeError, OSError) as exc:
            raise KeyLoadError(f"PKCS#11 token {token_label!r}: {type(exc).__name__} {exc}") \
                from None
        public = certificate.public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            # raw CKM_ECDSA over a SHA-256 digest: every token has it (SoftHSM lacks ECDSA_SHA256)
            self.method, kind, self._mechanism = ECDSA_SHA256, KeyType.EC, Mechanism.ECDSA
        elif isinstance(public, rsa.RSAPublicKey):
            self.method, kind, self._mechanism = RSA_SHA256, KeyType.RSA, Mechanism.SHA256_RSA_PKCS
        else:
            raise KeyLoadError("the certificate's key must be RSA or ECDSA")
        try:
            self._key = self._session.get_key(object_class=ObjectClass.PRIVATE_KEY,
                                              key_type=kind, label=key_label)
        except (pkcs11.exceptions.PKCS11Error, pkcs11.exceptions.NoSuchKey) as exc:
            raise KeyLoadError(f"no private key {key_label!r} on the token: {exc}") from None
        self.certificate = certificate

    def sign_bytes(self, data: bytes) -> bytes:
        if self._mechanism == Mechanism.ECDSA:
            data = hashlib.sha256(data).digest()
        return bytes(self._key.sign(data, mechanism=self._mechanism))

    def close(self) -> None:
        self._session.close()
