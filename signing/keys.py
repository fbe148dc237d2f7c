"""Signers (software keys, PKCS#11 tokens), key files, certificates and rotation."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from signing.algorithms import signature_method_for, software_sign
from signing.errors import CertificateExpired, KeyLoadError

EXPIRY_WARNING = timedelta(days=30)


class Signer(Protocol):
    """What signs: a private key somewhere (file, HSM, GOST provider) and its certificate."""

    certificate: x509.Certificate
    method: str  # SignatureMethod URI

    def sign_bytes(self, data: bytes) -> bytes: ...


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def check_validity(certificate: x509.Certificate, at: datetime) -> None:
    if at > certificate.not_valid_after_utc:
        raise CertificateExpired(
            f"the signing certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d}; "
            "install a new key and certificate (nothing is sent unsigned)")
    if at < certificate.not_valid_before_utc:
        raise CertificateExpired("the signing certificate is not valid yet")


@dataclass(frozen=True)
class CertificateStatus:
    fingerprint: str
    subject: str
    not_after: datetime
    days_left: int
    expiring: bool  # 30 days or fewer left
    expired: bool


def certificate_status(certificate: x509.Certificate, at: datetime) -> CertificateStatus:
    left = certificate.not_valid_after_utc - at
    return CertificateStatus(fingerprint(certificate), certificate.subject.rfc4514_string(),
                             certificate.not_valid_after_utc, left.days,
                             left <= EXPIRY_WARNING, left.total_seconds() < 0)


class SoftwareSigner:
    """An RSA or ECDSA private key held in memory."""

    def __init__(self, key: Any, certificate: x509.Certificate) -> None:
        if key.public_key().public_numbers() != certificate.public_key().public_numbers():
            raise KeyLoadError("the private key does not match the certificate")
        self._key = key
        self.certificate = certificate
        self.method = signature_method_for(key)

    def sign_bytes(self, data: bytes) -> bytes:
        return software_sign(self._key, self.method, data)


def secret_from(env: str | None = None, file: str | Path | None = None) -> bytes | None:
    """A passphrase or PIN from an environment variable or a file (first line)."""
    if env:
        if env not in os.environ:
            raise KeyLoadError(f"environment variable {env} (the passphrase) is not set")
        return os.environ[env].encode()
    if file:
        path = Path(file)
        _refuse_readable_by_others(path)
        return path.read_bytes().splitlines()[0] if path.read_bytes() else b""
    return None


def _refuse_readable_by_others(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise KeyLoadError(f"{path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyLoadError(
            f"{path} is readable by other users (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}")


def load_certificate(path: str | Path) -> x509.Certificate:
    data = _read(Path(path))
    try:
        return x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data \
            else x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise KeyLoadError(f"{path}: not an X.509 certificate ({exc})") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KeyLoadError(f"{path}: {exc.strerror}") from None


def load_software_signer(key_path: str | Path, cert_path: str | Path | None = None,
                         passphrase: bytes | None = None) -> SoftwareSigner:
    """PEM key + PEM certificate, or a PKCS#12 file (.p12/.pfx) holding both."""
    path = Path(key_path)
    _refuse_readable_by_others(path)
    data = _read(path)
    try:
        if path.suffix.lower() in (".p12", ".pfx"):
            key, cert, _ = pkcs12.load_key_and_certificates(data, passphrase)
            if key is None or cert is None:
                raise KeyLoadError(f"{path}: the PKCS#12 file lacks a key or a certificate")
            return SoftwareSigner(key, cert)
        key = serialization.load_pem_private_key(data, passphrase)
    except (ValueError, TypeError) as exc:
        raise KeyLoadError(f"{path}: cannot load the key ({exc}); check the passphrase") from None
    if cert_path is None:
        raise KeyLoadError(f"{path}: a PEM key needs its certificate (cert path)")
    return SoftwareSigner(key, load_certificate(cert_path))


@dataclass
class KeyRing:
    """The current signer and the certificates of earlier keys (still trusted for verifying)."""

    current: Signer
    previous: list[x509.Certificate] = field(default_factory=list)

    def trusted(self) -> list[x509.Certificate]:
        return [self.current.certificate, *self.previous]


def generate_dev_key(algorithm: str, out_dir: str | Path, common_name: str = "customs dev",
                     days: int = 365) -> tuple[Path, Path]:
    """A development key (mode 0600) and a self-signed certificate; never for production."""
    if algorithm == "ecdsa-p256":
        key: Any = ec.generate_private_key(ec.SECP256R1())
    elif algorithm == "rsa-2048":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        raise ValueError("algorithm must be ecdsa-p256 or rsa-2048")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cert = self_signed(key, common_name, days)
    key_path, cert_path = out / "key.pem", out / "cert.pem"
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    os.chmod(key_path, 0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def self_signed(key: Any, common_name: str, days: int = 365,
                not_before: datetime | None = None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
