"""Software keys, and reading key material safely from files (the Signer interface is in
signing/signer.py; re-exported here for callers written against this module)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12

from signing.algorithms import (
    ECDSA_SHA256,
    RSA_SHA256,
    ecdsa_der_to_raw,
    gost_bits,
)
from signing.errors import KeyLoadError
from signing.signer import Signer

MIN_RSA_BITS = 2048


class SoftwareSigner(Signer):
    """An RSA (2048 bits or more) or ECDSA P-256 private key held in memory."""

    def __init__(self, key: Any, certificate: x509.Certificate) -> None:
        if isinstance(key, rsa.RSAPrivateKey):
            if key.key_size < MIN_RSA_BITS:
                raise KeyLoadError(f"RSA key of {key.key_size} bits: at least {MIN_RSA_BITS}")
            self._algorithm = RSA_SHA256
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            if not isinstance(key.curve, ec.SECP256R1):
                raise KeyLoadError(f"ECDSA curve {key.curve.name}: only P-256 (secp256r1)")
            self._algorithm = ECDSA_SHA256
        else:
            raise KeyLoadError(f"unsupported key type {type(key).__name__}: RSA or ECDSA P-256")
        public = certificate.public_key()
        if not isinstance(public, type(key.public_key())) or \
                public.public_numbers() != key.public_key().public_numbers():
            raise KeyLoadError("the private key does not match the certificate")
        self._key = key
        self._certificate = certificate
        self._ecdsa = ec.ECDSA(hashes.SHA256())
        self._pkcs1, self._sha256 = PKCS1v15(), hashes.SHA256()

    @property
    def algorithm(self) -> str:
        return self._algorithm

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    def sign(self, data: bytes) -> bytes:
        if self._algorithm == ECDSA_SHA256:
            return ecdsa_der_to_raw(self._key.sign(data, self._ecdsa), 256)
        return bytes(self._key.sign(data, self._pkcs1, self._sha256))

    def __repr__(self) -> str:
        return f"SoftwareSigner({self._certificate.subject.rfc4514_string()!r})"


def refuse_if_shared(path: Path) -> None:
    """KeyLoadError if `path` is missing or readable/writable by group or others."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise KeyLoadError(f"{path}: {exc.strerror}") from None
    if mode & 0o077:
        raise KeyLoadError(f"{path} is accessible by group or others (mode {mode:03o}); a "
                           f"private key or secret must be private: run chmod 600 {path}")


def secret_from(env: str | None = None, file: str | Path | None = None) -> bytes | None:
    """A passphrase or PIN from an environment variable or from a file (its first line; the
    file must be mode 600). None when neither is configured."""
    if env:
        value = os.environ.get(env)
        if value is None:
            raise KeyLoadError(f"environment variable {env} (the passphrase or PIN) is not set")
        return value.encode()
    if file:
        path = Path(file)
        refuse_if_shared(path)
        lines = _read(path).splitlines()
        return lines[0] if lines else b""
    return None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KeyLoadError(f"{path}: {exc.strerror}") from None


def load_certificate(path: str | Path) -> x509.Certificate:
    """One X.509 certificate, PEM or DER (the first one of a PEM bundle)."""
    return load_certificates(path)[0]


def load_certificates(path: str | Path) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle, or the one of a DER file."""
    data = _read(Path(path))
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise KeyLoadError(f"{path}: not an X.509 certificate ({exc})") from None


def load_software_signer(key_path: str | Path, cert_path: str | Path | None = None,
                         passphrase: bytes | None = None) -> Signer:
    """A PEM private key (its certificate in `cert_path` or in the same PEM file), or a PKCS#12
    file holding both. The key file must be mode 600. A GOST R 34.10-2012 key (PEM PKCS#8,
    told by its certificate) is held by the OpenSSL GOST engine."""
    path = Path(key_path)
    refuse_if_shared(path)
    data = _read(path)
    cert: x509.Certificate | None
    if b"-----BEGIN" in data:
        cert = load_certificate(cert_path) if cert_path else _pem_certificate(path, data)
        if gost_bits(cert):
            from signing.gost_keys import load_gost_signer  # only when a GOST key is read

            try:
                return load_gost_signer(data, cert, passphrase)
            except KeyLoadError as exc:
                raise KeyLoadError(f"{path}: {exc}") from None
    try:
        if b"-----BEGIN" in data:
            key: Any = serialization.load_pem_private_key(data, passphrase)
            cert = load_certificate(cert_path) if cert_path else _pem_certificate(path, data)
        else:
            key, cert, _ = pkcs12.load_key_and_certificates(data, passphrase)
            if cert_path:
                cert = load_certificate(cert_path)
    except TypeError as exc:  # encrypted without passphrase, or the reverse
        raise KeyLoadError(f"{path}: {exc}; set the passphrase (passphrase_env or "
                           "passphrase_file) only for an encrypted key") from None
    except ValueError as exc:
        raise KeyLoadError(f"{path}: cannot load the key ({exc}); check the passphrase "
                           "and the format (PEM or PKCS#12)") from None
    if key is None or cert is None:
        raise KeyLoadError(f"{path}: the PKCS#12 file lacks a key or a certificate")
    return SoftwareSigner(key, cert)


def _pem_certificate(path: Path, data: bytes) -> x509.Certificate:
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise KeyLoadError(f"{path}: a PEM key needs its certificate (cert path)")
    return x509.load_pem_x509_certificates(data)[0]
