"""Certificates: validity and days left (for health and metrics), rotation, development keys."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from signing.errors import CertificateExpired, CertificateNotYetValid
from signing.signer import Signer

if TYPE_CHECKING:
    from signing.verify import Verifier

EXPIRY_WARNING_DAYS = 30


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate (DER), lower-case hex."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def check_validity(certificate: x509.Certificate, at: datetime) -> None:
    """Raise CertificateExpired / CertificateNotYetValid unless `at` is within the validity."""
    if at > certificate.not_valid_after_utc:
        raise CertificateExpired(
            f"the signing certificate {certificate.subject.rfc4514_string()} expired on "
            f"{certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC; install a new key and "
            "certificate (nothing is sent unsigned)")
    if at < certificate.not_valid_before_utc:
        raise CertificateNotYetValid(
            f"the signing certificate {certificate.subject.rfc4514_string()} is valid only from "
            f"{certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC")


@dataclass(frozen=True)
class CertificateStatus:
    fingerprint: str
    subject: str
    not_after: datetime
    days_left: int  # whole days until notAfter (negative once expired)
    expiring: bool  # EXPIRY_WARNING_DAYS (30) days or fewer left
    expired: bool


def certificate_status(certificate: x509.Certificate,
                       at: datetime | None = None) -> CertificateStatus:
    """Days left until notAfter and the ≤ 30 days warning flag, for health checks and metrics."""
    left = certificate.not_valid_after_utc - (at or datetime.now(UTC))
    return CertificateStatus(fingerprint(certificate), certificate.subject.rfc4514_string(),
                             certificate.not_valid_after_utc, left.days,
                             left <= timedelta(days=EXPIRY_WARNING_DAYS),
                             left.total_seconds() < 0)


@dataclass
class KeyRing:
    """The current signer and the certificates of earlier keys: new documents are signed with
    the current key; documents signed before still verify against the previous certificates."""

    current: Signer
    previous: list[x509.Certificate] = field(default_factory=list)

    def trusted(self) -> list[x509.Certificate]:
        return [self.current.certificate, *self.previous]

    def rotate(self, new: Signer) -> KeyRing:
        """A ring signing with `new` and still trusting every certificate of this one."""
        return KeyRing(new, [self.current.certificate, *self.previous])

    def verifier(self, **options: Any) -> Verifier:
        """A Verifier pinning the current and the previous certificates."""
        from signing.verify import Verifier

        return Verifier(self.trusted(), **options)

    def status(self, at: datetime | None = None) -> CertificateStatus:
        return certificate_status(self.current.certificate, at)


def self_signed(key: Any, common_name: str, days: int = 365,
                not_before: datetime | None = None) -> x509.Certificate:
    """A self-signed end-entity certificate for `key` (development and tests)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=False, crl_sign=False, encipher_only=False,
                          decipher_only=False)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .sign(key, hashes.SHA256()))


DEV_ALGORITHMS = ("ecdsa-p256", "rsa-2048", "gost2012-256", "gost2012-512")


def generate_dev_key(algorithm: str, out_dir: str | Path, common_name: str = "customs dev",
                     days: int = 365, *, overwrite: bool = False,
                     not_before: datetime | None = None) -> tuple[Path, Path]:
    """Write key.pem (mode 0600) and a self-signed cert.pem into `out_dir`; return both paths.

    `algorithm` is one of DEV_ALGORITHMS (GOST keys need the OpenSSL GOST engine). For
    development only: production certificates come from the authority's CA. An existing
    key.pem is kept (FileExistsError) unless `overwrite`. `not_before` defaults to five
    minutes ago (tests with a fixed clock set it).
    """
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    key_pem, cert_pem = _dev_key_and_certificate(algorithm, common_name, days, start)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = out / "key.pem", out / "cert.pem"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (0 if overwrite else os.O_EXCL)
    try:
        fd = os.open(key_path, flags, 0o600)
    except FileExistsError:
        raise FileExistsError(f"{key_path} exists; not overwriting a key") from None
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(key_pem)
    cert_path.write_bytes(cert_pem)
    return key_path, cert_path


def _dev_key_and_certificate(algorithm: str, common_name: str, days: int,
                             start: datetime) -> tuple[bytes, bytes]:
    if algorithm.startswith("gost2012-") and algorithm in DEV_ALGORITHMS:
        from signing.gost_keys import generate_gost_key  # only when a GOST key is made

        return generate_gost_key(int(algorithm[-3:]), common_name, days, start)
    if algorithm == "ecdsa-p256":
        key: Any = ec.generate_private_key(ec.SECP256R1())
    elif algorithm == "rsa-2048":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        raise ValueError(f"algorithm {algorithm!r}: one of {', '.join(DEV_ALGORITHMS)}")
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()),
            self_signed(key, common_name, days, start).public_bytes(serialization.Encoding.PEM))
