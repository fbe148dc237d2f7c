"""A signer whose private key stays in a PKCS#11 token (an HSM; SoftHSM 2 in tests)."""

from __future__ import annotations

import hashlib
import hmac
import threading
from pathlib import Path
from typing import Any

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass

from signing.algorithms import ECDSA_SHA256, RSA_SHA256, gost_bits
from signing.errors import KeyLoadError, SigningError
from signing.signer import Signer, self_test

_ERRORS = (pkcs11.PKCS11Error, RuntimeError, OSError)
_registry_lock = threading.Lock()
_sessions: dict[tuple[str, str], _TokenSession] = {}


class _TokenSession:
    """One logged-in session per token and process (a token knows one login per process),
    shared by the signers of that token and used under a lock."""

    def __init__(self, session: Any, pin: str | None) -> None:
        self.session, self.lock, self.users = session, threading.Lock(), 0
        self.pin_digest = hashlib.sha256((pin or "").encode()).digest()

    @classmethod
    def open(cls, module: str, token_label: str, pin: str | None) -> _TokenSession:
        with _registry_lock:
            shared = _sessions.get((module, token_label))
            if shared is None:
                try:
                    token = pkcs11.lib(module).get_token(token_label=token_label)
                    shared = cls(token.open(user_pin=pin), pin)
                except _ERRORS as exc:
                    raise KeyLoadError(f"PKCS#11 token {token_label!r}: {type(exc).__name__} "
                                       f"{exc} (check the token label and the PIN)") from None
                _sessions[(module, token_label)] = shared
            elif not hmac.compare_digest(shared.pin_digest,
                                         hashlib.sha256((pin or "").encode()).digest()):
                raise KeyLoadError(f"PKCS#11 token {token_label!r}: PinIncorrect (the token "
                                   "is open in this process with another PIN)")
            shared.users += 1
            return shared

    def release(self, key: tuple[str, str]) -> None:
        with _registry_lock:
            self.users -= 1
            if self.users == 0 and _sessions.get(key) is self:
                del _sessions[key]
                self.session.close()


class Pkcs11Signer(Signer):
    """Signs through the token; the key never leaves it. ECDSA uses raw CKM_ECDSA over a SHA-256
    digest (every token has it), whose output is already r||s as XML-Signature wants.

    The certificate comes from `certificate`, or else from the token (a certificate object
    with the key's label). sign() is thread-safe.
    """

    def __init__(self, module: str | Path, token_label: str, key_label: str, pin: str | None,
                 certificate: x509.Certificate | None = None) -> None:
        if not Path(module).is_file():
            raise KeyLoadError(f"PKCS#11 module {module} not found (the HSM vendor's .so; "
                               "for SoftHSM: the Debian package softhsm2)")
        self._where = (str(module), token_label)
        self._token = _TokenSession.open(str(module), token_label, pin)
        try:
            self._certificate = certificate or self._token_certificate(key_label)
            self._key = self._private_key(key_label)
            self_test(self)
        except KeyLoadError:
            self.close()
            raise

    def _token_certificate(self, label: str) -> x509.Certificate:
        try:
            found = self._token.session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE,
                                                     Attribute.LABEL: label})
            der = next(iter(found))[Attribute.VALUE]
        except (*_ERRORS, StopIteration):
            raise KeyLoadError(f"no certificate configured and none labelled {label!r} on "
                               "the token") from None
        return x509.load_der_x509_certificate(bytes(der))

    def _private_key(self, label: str) -> Any:
        if gost_bits(self._certificate):
            raise KeyLoadError("GOST keys on PKCS#11 tokens are not supported yet (no token "
                               "with GOST R 34.10-2012 mechanisms to test against); use a "
                               "software GOST key")
        public = self._certificate.public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            self._algorithm, kind, self._mechanism = ECDSA_SHA256, KeyType.EC, Mechanism.ECDSA
        elif isinstance(public, rsa.RSAPublicKey):
            self._algorithm, kind = RSA_SHA256, KeyType.RSA
            self._mechanism = Mechanism.SHA256_RSA_PKCS
        else:
            raise KeyLoadError("the certificate's key must be RSA or ECDSA")
        try:
            return self._token.session.get_key(object_class=ObjectClass.PRIVATE_KEY,
                                               key_type=kind, label=label)
        except (*_ERRORS, pkcs11.NoSuchKey, pkcs11.MultipleObjectsReturned) as exc:
            raise KeyLoadError(f"private key {label!r} on token {self._where[1]!r}: "
                               f"{type(exc).__name__} {exc}") from None

    @property
    def algorithm(self) -> str:
        return self._algorithm

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    def sign(self, data: bytes) -> bytes:
        if self._mechanism == Mechanism.ECDSA:
            data = hashlib.sha256(data).digest()
        try:
            with self._token.lock:
                return bytes(self._key.sign(data, mechanism=self._mechanism))
        except _ERRORS as exc:
            raise SigningError(f"PKCS#11 signing failed: {type(exc).__name__} {exc}") from None

    def close(self) -> None:
        """Release the shared session (closed with its last signer)."""
        if self._token is not None:
            self._token.release(self._where)
            self._token = None  # type: ignore[assignment]
