"""Several certificates at once: rotation, refusing to sign after notAfter, days left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from signing import (
    CertificateExpired,
    CertificateNotYetValid,
    KeyRing,
    PolicyError,
    SoftwareSigner,
    Verifier,
    certificate_status,
    sign_enveloped,
)
from signing.certificates import self_signed

START = datetime(2026, 1, 1, tzinfo=UTC)


def _signer(name: str, days: int = 365, start: datetime = START) -> SoftwareSigner:
    key = ec.generate_private_key(ec.SECP256R1())
    return SoftwareSigner(key, self_signed(key, name, days=days, not_before=start))


def _sign(signer: SoftwareSigner, text: str, at: datetime) -> bytes:
    root = etree.fromstring(f"<Doc><V>{text}</V></Doc>".encode())
    return bytes(etree.tostring(sign_enveloped(root, signer, at=at)))


def test_documents_signed_before_a_rotation_still_verify() -> None:
    ring = KeyRing(_signer("2026 key"))
    before = _sign(ring.current, "1", START + timedelta(days=1))
    ring = ring.rotate(_signer("2027 key"))
    after = _sign(ring.current, "2", START + timedelta(days=2))
    verifier = ring.verifier()
    assert verifier.verify(before).certificate == ring.previous[0]
    assert verifier.verify(after).certificate == ring.current.certificate
    assert b"2027" not in before  # new documents use the new key only
    assert ring.current.certificate.subject.rfc4514_string() == "CN=2027 key"
    with pytest.raises(PolicyError, match="not trusted"):  # dropped from the ring: refused
        Verifier([ring.current.certificate]).verify(before)


def test_signing_outside_the_validity_is_refused() -> None:
    signer = _signer("short", days=30)
    _sign(signer, "ok", START + timedelta(days=29))
    with pytest.raises(CertificateExpired, match="expired on 2026-01-31"):
        _sign(signer, "late", START + timedelta(days=31))
    with pytest.raises(CertificateNotYetValid, match="valid only from"):
        _sign(signer, "early", START - timedelta(days=1))


def test_nothing_is_appended_when_signing_is_refused() -> None:
    root = etree.fromstring(b"<Doc/>")
    with pytest.raises(CertificateExpired):
        sign_enveloped(root, _signer("old", days=1), at=START + timedelta(days=2))
    assert len(root) == 0


def test_days_left_and_the_30_day_warning() -> None:
    cert = _signer("x", days=100).certificate
    early = certificate_status(cert, START + timedelta(days=10))
    edge = certificate_status(cert, START + timedelta(days=70))
    late = certificate_status(cert, START + timedelta(days=75))
    gone = certificate_status(cert, START + timedelta(days=101))
    assert (early.days_left, early.expiring, early.expired) == (90, False, False)
    assert (edge.days_left, edge.expiring) == (30, True)
    assert (late.days_left, late.expiring, late.expired) == (25, True, False)
    assert gone.expired and gone.expiring and gone.days_left < 0
    assert KeyRing(_signer("y")).status(START).days_left == 365
